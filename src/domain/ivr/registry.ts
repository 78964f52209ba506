/** The default node registry: every node type of `flow-schema.ts`, one class each. */
import { NodeRegistry } from './node.js';
import { PlayNode } from './nodes/play.js';
import { MenuNode } from './nodes/menu.js';
import { CollectDigitsNode } from './nodes/collect-digits.js';
import { SpeechMenuNode } from './nodes/speech-menu.js';
import { ConditionNode } from './nodes/condition.js';
import { SetVariableNode } from './nodes/set-variable.js';
import { AnnouncementNode } from './nodes/announcement.js';
import { QueueNode } from './nodes/queue.js';
import { VoicebotNode } from './nodes/voicebot.js';
import { TransferNode } from './nodes/transfer.js';
import { TicketStatusNode } from './nodes/ticket-status.js';
import { SurveyNode } from './nodes/survey.js';
import { HangupNode } from './nodes/hangup.js';
import type { NodeType } from './flow-schema.js';

/** A fresh registry with all built-in node types. */
export function createNodeRegistry(): NodeRegistry {
  const entries: [NodeType, typeof PlayNode | any][] = [
    ['play', PlayNode], ['menu', MenuNode], ['collectDigits', CollectDigitsNode], ['speechMenu', SpeechMenuNode],
    ['condition', ConditionNode], ['setVariable', SetVariableNode], ['announcement', AnnouncementNode],
    ['queue', QueueNode], ['voicebot', VoicebotNode], ['transfer', TransferNode],
    ['ticketStatus', TicketStatusNode], ['survey', SurveyNode], ['hangup', HangupNode],
  ];
  const registry = new NodeRegistry();
  for (const [type, cls] of entries) registry.register(type, cls);
  return registry;
}

/** Shared default registry (node classes are stateless until instantiated). */
export const defaultNodeRegistry = createNodeRegistry();
