/**
 * The one place the editor imports server modules from: the pure flow schema (TypeBox) and the
 * exit rules, so the canvas and the server agree on node types, props and exits.
 */
export {
  NODE_PROPS,
  NODE_TYPES,
  LANGUAGES,
  FLOW_SCHEMA_VERSION,
  FlowDocumentSchema,
  type FlowDocument,
  type FlowNode,
  type NodeType,
  type Prompt,
  type Language,
} from '../../../domain/ivr/flow-schema.js';
export { exitsOf, STATIC_EXITS, OPTIONAL_EXITS, AWAITS_CALLER_INPUT } from '../../../domain/ivr/exits.js';
