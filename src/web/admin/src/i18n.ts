/**
 * i18next setup: Chinese (`zh`) by default, English (`en`) switchable; the choice is kept in
 * localStorage. Also adapts react-jsonschema-form's built-in strings to the current language.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { TranslatableString, englishStringTranslator, replaceStringParameters } from '@rjsf/utils';
import zh from './locales/zh.json';
import en from './locales/en.json';

export const UI_LANGUAGES = ['zh', 'en'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];

const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('uiLang') : null;
const urlLang = new URLSearchParams(window.location.search).get('lang');
const initial: UiLanguage = urlLang === 'en' || urlLang === 'zh' ? urlLang : stored === 'en' ? 'en' : 'zh';

void i18n.use(initReactI18next).init({
  resources: { zh: { translation: zh }, en: { translation: en } },
  lng: initial,
  fallbackLng: 'zh',
  interpolation: { escapeValue: false },
});
document.documentElement.lang = initial === 'zh' ? 'zh-CN' : 'en';

/** Switches the UI language and remembers it. */
export function setUiLanguage(lang: UiLanguage): void {
  localStorage.setItem('uiLang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  void i18n.changeLanguage(lang);
}

const nameOf = new Map<string, string>(Object.entries(TranslatableString).map(([name, value]) => [value, name]));

/** `translateString` for react-jsonschema-form: its English UI strings via the `rjsf.*` keys. */
export function rjsfTranslator(str: TranslatableString, params?: string[]): string {
  const name = nameOf.get(str);
  const own = name ? (i18n.getResource(i18n.language, 'translation', `rjsf.${name}`) as unknown) : undefined;
  if (typeof own === 'string') return replaceStringParameters(own, params);
  return englishStringTranslator(str, params);
}

export default i18n;
