/**
 * Ticket intelligence for Mandarin hotline calls: transcript turns in, a self-filling ticket
 * (工单) draft out, with emergency/sensitive alerts. See README.md in this folder.
 */
export {
  createTicketExtractor, extractTicketDraft, toFlatDraft, DEFAULT_AUTO_DISPATCH_THRESHOLD,
  type TicketExtractor, type TicketExtractorOptions,
} from './extractor.js';
export { createTicketDrafterFactory } from './drafter-adapter.js';
export {
  defaultCityPack, loadCityPack, validateCityPack, CityPackError,
  type CityPack, type DistrictEntry, type UnitEntry, type CategoryEntry, type SubcategoryEntry,
} from './city-pack.js';
export {
  createOpenAiCompatibleLlm, LlmRequestError, LlmResponseError,
  type LlmAdapter, type ChatMessage, type CompletionOptions, type OpenAiCompatibleOptions,
} from './llm.js';
export * from './types.js';
