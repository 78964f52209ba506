import { useState } from 'react';
import { ReactFlowProvider } from '@xyflow/react';
import { useTranslation } from 'react-i18next';
import { initialToken, storeToken } from './api.js';
import { Login } from './components/Login.js';
import { Editor } from './Editor.js';

/** The admin page: the token box until a token is known, then the flow editor. */
export function App() {
  const { t } = useTranslation();
  const [token, setToken] = useState<string | null>(initialToken);
  const [loginError, setLoginError] = useState<string | null>(null);

  if (!token) {
    return (
      <Login
        error={loginError}
        onLogin={(tk) => {
          storeToken(tk);
          setLoginError(null);
          setToken(tk);
        }}
      />
    );
  }
  const logout = (error: string | null) => {
    storeToken(null);
    const url = new URL(window.location.href);
    if (url.searchParams.has('token')) {
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url);
    }
    setLoginError(error);
    setToken(null);
  };
  return (
    <ReactFlowProvider>
      <Editor key={token} token={token} onUnauthorized={() => logout(t('status.unauthorized'))} onLogout={() => logout(null)} />
    </ReactFlowProvider>
  );
}
