import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, createApi, type FlowSummary, type Issue, type SimulationInput, type SimulationResult, type VersionInfo } from './api.js';
import type { FlowDocument, FlowNode } from './shared.js';
import { addNode, disconnect, freeSpot, layoutMissing, newFlowDocument, removeNodes, renameNode, updateNode, type XY } from './model.js';
import { initialProps, type FlowSettings } from './schemas.js';
import { Canvas, type CanvasSelection } from './components/Canvas.js';
import { Palette } from './components/Palette.js';
import { Toolbar, type Status } from './components/Toolbar.js';
import { NodeEditor } from './components/NodeEditor.js';
import { FlowSettingsForm } from './components/FlowSettingsForm.js';
import { IssuesPanel } from './components/IssuesPanel.js';
import { VersionsDialog } from './components/VersionsDialog.js';
import { SimulatePanel } from './components/SimulatePanel.js';
import { NewFlowDialog } from './components/NewFlowDialog.js';

interface Props {
  token: string;
  onUnauthorized: () => void;
  onLogout: () => void;
}

const NO_SELECTION: CanvasSelection = { nodeIds: [], edge: null };

/**
 * The editor: toolbar, palette, canvas, side panel and issues. Holds the flow document being
 * edited and talks to the admin API.
 */
export function Editor({ token, onUnauthorized, onLogout }: Props) {
  const { t } = useTranslation();
  const api = useMemo(() => createApi(token), [token]);
  const [flows, setFlows] = useState<FlowSummary[]>([]);
  const [flowId, setFlowId] = useState<string | null>(null);
  const [doc, setDoc] = useState<FlowDocument | null>(null);
  const [savedDoc, setSavedDoc] = useState<FlowDocument | null>(null);
  const [publishedVersion, setPublishedVersion] = useState<number | null>(null);
  const [issues, setIssues] = useState<Issue[]>([]);
  const [status, setStatus] = useState<Status | null>({ key: 'status.loading', tone: 'info' });
  const [busy, setBusy] = useState(false);
  const [comment, setComment] = useState('');
  const [selection, setSelection] = useState<CanvasSelection>(NO_SELECTION);
  const [focus, setFocus] = useState<{ id: string; seq: number } | null>(null);
  const [loadSeq, setLoadSeq] = useState(0);
  const [serverDefaults, setServerDefaults] = useState<Record<string, Record<string, unknown>>>({});
  const [promptNames, setPromptNames] = useState<string[]>([]);
  const [newFlow, setNewFlow] = useState<{ error: string | null } | null>(null);
  const [versions, setVersions] = useState<VersionInfo[] | null | undefined>(undefined);
  const [simOpen, setSimOpen] = useState(false);
  const [simResult, setSimResult] = useState<SimulationResult | null>(null);
  const dirty = doc !== null && doc !== savedDoc;
  const focusSeq = useRef(0);
  const unauthorized = useRef(onUnauthorized);
  unauthorized.current = onUnauthorized;

  /** Runs an API action with the busy flag; 401/403 log out, other errors go to the status line. */
  const run = useCallback(
    async (action: () => Promise<void>, onError?: (e: ApiError) => boolean) => {
      setBusy(true);
      try {
        await action();
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, 'client', err instanceof Error ? err.message : String(err));
        if (e.status === 401 || e.status === 403) unauthorized.current();
        else if (!onError?.(e)) setStatus({ key: 'status.error', params: { message: e.message }, tone: 'error' });
      } finally {
        setBusy(false);
      }
    },
    [],
  );

  const refreshFlows = useCallback(async () => {
    const list = await api.listFlows();
    setFlows(list);
    return list;
  }, [api]);

  const loadFlow = useCallback(
    async (id: string) => {
      const rec = await api.getFlow(id);
      const d = layoutMissing(rec.draft);
      setDoc(d);
      setSavedDoc(d);
      setFlowId(id);
      setPublishedVersion(rec.publishedVersion);
      setSelection(NO_SELECTION);
      setSimResult(null);
      setIssues([]);
      setLoadSeq((s) => s + 1);
      setStatus(rec.publishedVersion !== null ? { key: 'status.published', params: { version: rec.publishedVersion }, tone: 'ok' } : { key: 'status.unpublished', tone: 'info' });
      const url = new URL(window.location.href);
      url.searchParams.set('flow', id);
      window.history.replaceState(null, '', url);
      try {
        setIssues((await api.validate(id)).issues);
      } catch {
        /* issues are shown again on the next save / validate */
      }
    },
    [api],
  );

  useEffect(() => {
    void run(async () => {
      const list = await refreshFlows();
      const wanted = new URLSearchParams(window.location.search).get('flow');
      const first = list.find((f) => f.id === wanted) ?? list[0];
      if (first) await loadFlow(first.id);
      else setStatus({ key: 'status.noFlows', tone: 'info' });
    });
    api.nodeTypes().then(
      (types) => setServerDefaults(Object.fromEntries(types.map((nt) => [nt.type, nt.defaults ?? {}]))),
      () => undefined,
    );
    api.prompts().then(
      (ps) => setPromptNames(ps.map((p) => p.name)),
      () => undefined,
    );
  }, [api, run, refreshFlows, loadFlow]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  /** Upload a WAV prompt; the name is the file name made safe (ASCII letters, digits, `_.-`). */
  const uploadPrompt = (file: File) =>
    void run(
      async () => {
        const base = file.name.replace(/\.wav$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^[._]+/, '') || 'prompt';
        const info = await api.uploadPrompt(`${base.slice(0, 120)}.wav`, file);
        setPromptNames((names) => [...new Set([...names, info.name])].sort());
        setStatus({ key: 'status.uploaded', params: { name: info.name, seconds: (info.durationMs / 1000).toFixed(1) }, tone: 'ok' });
      },
      (e) => {
        setStatus({ key: 'status.uploadFailed', params: { message: e.message }, tone: 'error' });
        return true;
      },
    );

  const updateDoc = useCallback((fn: (d: FlowDocument) => FlowDocument) => setDoc((d) => (d ? fn(d) : d)), []);
  const focusOn = (id: string) => setFocus({ id, seq: ++focusSeq.current });

  const save = async (): Promise<boolean> => {
    if (!doc || !flowId) return false;
    const sent = doc;
    let ok = false;
    await run(
      async () => {
        const r = await api.saveDraft(flowId, sent);
        setSavedDoc(sent);
        setIssues(r.issues);
        setStatus(r.issues.length ? { key: 'status.savedWithIssues', params: { count: r.issues.length }, tone: 'info' } : { key: 'status.saved', tone: 'ok' });
        ok = true;
        await refreshFlows();
      },
      (e) => {
        if (e.issues.length) setIssues(e.issues);
        return false;
      },
    );
    return ok;
  };

  const validate = () =>
    run(async () => {
      if (!doc || !flowId) return;
      const r = await api.validate(flowId, doc);
      setIssues(r.issues);
      setStatus(r.valid ? { key: 'status.valid', tone: 'ok' } : { key: 'status.invalid', params: { count: r.issues.length }, tone: 'error' });
    });

  const publish = async () => {
    if (!flowId) return;
    if (dirty && !(await save())) return;
    await run(
      async () => {
        const r = await api.publish(flowId, comment.trim() || undefined);
        setPublishedVersion(r.version);
        setComment('');
        setIssues([]);
        setStatus({ key: 'status.published', params: { version: r.version }, tone: 'ok' });
        await refreshFlows();
      },
      (e) => {
        setIssues(e.issues);
        setStatus({ key: 'status.publishFailed', params: { message: e.message }, tone: 'error' });
        return true;
      },
    );
  };

  const openVersions = () => {
    if (!flowId) return;
    setVersions(null);
    void run(async () => setVersions(await api.versions(flowId)));
  };

  const rollback = (version: number) =>
    run(async () => {
      if (!flowId) return;
      const r = await api.rollback(flowId, version);
      setPublishedVersion(r.publishedVersion);
      setStatus({ key: 'status.rolledBack', params: { version: r.publishedVersion }, tone: 'ok' });
      setVersions(await api.versions(flowId));
      await refreshFlows();
    });

  const loadVersion = (version: number) =>
    run(async () => {
      if (!flowId) return;
      const r = await api.version(flowId, version);
      setDoc(layoutMissing(r.doc));
      setSelection(NO_SELECTION);
      setLoadSeq((s) => s + 1);
      setVersions(undefined);
    });

  const simulate = (input: SimulationInput) =>
    run(async () => {
      if (!flowId || !doc) return;
      const r = await api.simulate(flowId, input, doc);
      setSimResult(r);
      setStatus({ key: 'status.simulated', params: { outcome: r.outcome }, tone: 'ok' });
    });

  const createFlow = (id: string, name: string, number: string) =>
    run(
      async () => {
        await api.createFlow(newFlowDocument(id, name, number || undefined));
        setNewFlow(null);
        await refreshFlows();
        await loadFlow(id);
        setStatus({ key: 'status.created', params: { id }, tone: 'ok' });
      },
      (e) => {
        setNewFlow({ error: e.message });
        return true;
      },
    );

  const addAt = (type: string, position: XY, avoidOverlap = false) => {
    if (!doc) return;
    const r = addNode(doc, type, initialProps(type, serverDefaults[type]), avoidOverlap ? freeSpot(doc, position) : position);
    setDoc(r.doc);
    focusOn(r.id);
  };

  const pathNodeIds = useMemo(() => new Set(simOpen && simResult ? simResult.path.map((s) => s.nodeId) : []), [simOpen, simResult]);
  const selectedNode = selection.nodeIds.length === 1 && doc ? doc.nodes.find((n) => n.id === selection.nodeIds[0]) ?? null : null;

  return (
    <div className="app">
      <Toolbar
        flows={flows}
        flowId={flowId}
        busy={busy}
        dirty={dirty}
        status={status}
        publishedVersion={publishedVersion}
        comment={comment}
        onComment={setComment}
        onSelectFlow={(id) => id && void run(() => loadFlow(id))}
        onNew={() => setNewFlow({ error: null })}
        onSave={() => void save()}
        onValidate={() => void validate()}
        onPublish={() => void publish()}
        onVersions={openVersions}
        onSimulate={() => setSimOpen(true)}
        onLogout={onLogout}
      />
      <main className="workspace">
        <Palette onAdd={addAt} disabled={!doc} onUpload={uploadPrompt} promptNames={promptNames} />
        {doc ? (
          <Canvas
            doc={doc}
            issues={issues}
            pathNodeIds={pathNodeIds}
            focus={focus}
            loadSeq={loadSeq}
            onChange={updateDoc}
            onSelectionChange={setSelection}
            onDropType={addAt}
          />
        ) : (
          <div className="canvas empty">{status && t(status.key, status.params)}</div>
        )}
        <aside className="side">
          <div className="side-scroll">
            {simOpen ? (
              <SimulatePanel busy={busy} result={simResult} onRun={(i) => void simulate(i)} onClose={() => setSimOpen(false)} />
            ) : doc && selectedNode ? (
              <NodeEditor
                doc={doc}
                node={selectedNode}
                promptNames={promptNames}
                onRename={(from, to) => {
                  updateDoc((d) => renameNode(d, from, to));
                  focusOn(to);
                }}
                onUpdate={(fn: (n: FlowNode) => FlowNode) => updateDoc((d) => updateNode(d, selectedNode.id, fn))}
                onSetStart={(id) => updateDoc((d) => ({ ...d, start: id }))}
                onDelete={(id) => updateDoc((d) => removeNodes(d, [id]))}
              />
            ) : doc && selection.edge ? (
              <EdgeInfo
                edge={selection.edge}
                onDelete={() => {
                  const { source, exit } = selection.edge!;
                  updateDoc((d) => disconnect(d, source, exit));
                  setSelection(NO_SELECTION);
                }}
              />
            ) : doc ? (
              <FlowSettingsForm doc={doc} onChange={(s: FlowSettings) => updateDoc((d) => ({ ...d, ...s }))} />
            ) : null}
          </div>
          <IssuesPanel issues={issues} onPick={(id) => { setSimOpen(false); focusOn(id); }} />
        </aside>
      </main>
      {newFlow && <NewFlowDialog error={newFlow.error} busy={busy} onCreate={(id, name, number) => void createFlow(id, name, number)} onClose={() => setNewFlow(null)} />}
      {versions !== undefined && (
        <VersionsDialog versions={versions} busy={busy} onRollback={(v) => void rollback(v)} onLoad={(v) => void loadVersion(v)} onClose={() => setVersions(undefined)} />
      )}
    </div>
  );
}

/** Side panel for a selected connection. */
function EdgeInfo({ edge, onDelete }: { edge: NonNullable<CanvasSelection['edge']>; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <section className="panel-section" data-testid="edge-editor">
      <h2>{t('panel.edge')}</h2>
      <p>{t('panel.edgeText', edge)}</p>
      <button type="button" className="danger" data-testid="btn-delete-edge" onClick={onDelete}>
        {t('panel.deleteEdge')}
      </button>
    </section>
  );
}
