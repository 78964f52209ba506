/**
 * Flow administration and the catalog calls draw from: drafts are saved as given (even invalid),
 * validated on demand, and only a valid flow is published. Publishing stores the version (one DB
 * transaction) and then swaps the compiled version into the catalog; new calls take it at once,
 * calls in progress keep the `CompiledFlow` they started with. No restart.
 */
import { Value } from '@sinclair/typebox/value';
import { Type } from '@sinclair/typebox';
import type { FlowRepository, FlowRow } from '../../storage/flow-repository.js';
import { FlowNotFoundError } from '../../storage/flow-repository.js';
import { compileFlow, FlowValidationError, type CompiledFlow } from './compile.js';
import type { FlowDocument } from './flow-schema.js';
import type { NodeRegistry } from './node.js';
import { simulateFlow, type SimulationInput, type SimulationResult } from './simulate.js';
import { validateFlow, type FlowIssue } from './validate.js';

/** The minimum shape a draft must have to be stored (the rest is checked by validation). */
const DraftShape = Type.Object({
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' }),
  name: Type.String({ minLength: 1, maxLength: 128 }),
  nodes: Type.Array(Type.Object({ id: Type.String(), type: Type.String() }), { maxItems: 500 }),
});

/** The body is not a flow at all (no id/name/nodes); `issues` says what is wrong. */
export class FlowShapeError extends Error {
  override name = 'FlowShapeError' as const;
  constructor(readonly issues: readonly FlowIssue[]) {
    super(`not a flow document: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  }
}

export interface FlowServiceDeps {
  readonly repo: FlowRepository;
  readonly registry: NodeRegistry;
  /** Is an uploaded prompt with this file name present? */
  readonly audioExists: (file: string) => boolean;
  readonly timeZone: string;
}

/** Published flows by dialled number. */
export class FlowCatalog {
  readonly #byNumber = new Map<string, CompiledFlow>();
  readonly #byId = new Map<string, CompiledFlow>();

  /** Make `flow` current for its id and numbers (replacing the previous version). */
  install(flow: CompiledFlow): void {
    this.remove(flow.flowId);
    this.#byId.set(flow.flowId, flow);
    for (const n of flow.doc.numbers) this.#byNumber.set(n, flow);
  }

  remove(flowId: string): void {
    const old = this.#byId.get(flowId);
    if (!old) return;
    this.#byId.delete(flowId);
    for (const n of old.doc.numbers) if (this.#byNumber.get(n) === old) this.#byNumber.delete(n);
  }

  /** The flow for a dialled number, else undefined. */
  forNumber(destination: string): CompiledFlow | undefined {
    return this.#byNumber.get(destination);
  }

  get(flowId: string): CompiledFlow | undefined {
    return this.#byId.get(flowId);
  }
}

export class FlowService {
  readonly catalog = new FlowCatalog();

  constructor(private readonly deps: FlowServiceDeps) {}

  /** Load every published version into the catalog. Versions that no longer validate are skipped and returned. */
  load(): { flowId: string; version: number; error: FlowValidationError }[] {
    const skipped: { flowId: string; version: number; error: FlowValidationError }[] = [];
    for (const p of this.deps.repo.published()) {
      try {
        this.catalog.install(compileFlow(p.doc, p.version, this.#env()));
      } catch (error) {
        if (!(error instanceof FlowValidationError)) throw error;
        skipped.push({ flowId: p.id, version: p.version, error });
      }
    }
    return skipped;
  }

  /** Seed a flow (create + publish) if no flow with its id exists; returns true if seeded. */
  seed(doc: FlowDocument, actor = 'system'): boolean {
    if (this.deps.repo.get(doc.id)) return false;
    this.create(doc, actor);
    this.publish(doc.id, actor, 'built-in default');
    return true;
  }

  list() {
    return this.deps.repo.list();
  }

  /** @throws FlowNotFoundError */
  get(id: string): FlowRow {
    const row = this.deps.repo.get(id);
    if (!row) throw new FlowNotFoundError(`no flow ${id}`);
    return row;
  }

  /** @throws FlowShapeError, FlowExistsError */
  create(doc: unknown, actor: string): FlowIssue[] {
    const shaped = this.#shape(doc);
    this.deps.repo.create(shaped, actor);
    return this.validate(doc);
  }

  /** Save the draft (kept even with issues). @throws FlowShapeError, FlowNotFoundError; 'id-mismatch' issue if ids differ. */
  saveDraft(id: string, doc: unknown, actor: string): FlowIssue[] {
    const shaped = this.#shape(doc);
    if (shaped.id !== id) throw new FlowShapeError([{ path: '/id', code: 'id-mismatch', message: `document id ${shaped.id} is not ${id}` }]);
    this.deps.repo.saveDraft(id, shaped, actor);
    return this.validate(doc);
  }

  /** @throws FlowNotFoundError */
  delete(id: string, actor: string): void {
    this.deps.repo.delete(id, actor);
    this.catalog.remove(id);
  }

  /** All issues of a document, including numbers another published flow already answers. */
  validate(doc: unknown): FlowIssue[] {
    return [...validateFlow(doc, this.#env()), ...this.#numbersTaken(doc)];
  }

  /** `number-taken` issues: numbers of `doc` that another published flow answers. */
  #numbersTaken(doc: unknown): FlowIssue[] {
    const d = doc as Partial<FlowDocument>;
    if (!Array.isArray(d.numbers) || typeof d.id !== 'string') return [];
    return d.numbers.flatMap((n, i) => {
      const owner = this.catalog.forNumber(n);
      return owner && owner.flowId !== d.id ? [{ path: `/numbers/${i}`, code: 'number-taken', message: `number ${n} is answered by published flow ${owner.flowId}` }] : [];
    });
  }

  /**
   * Publish the saved draft as the next version. @throws FlowNotFoundError, FlowValidationError
   * (nothing is stored then).
   */
  publish(id: string, actor: string, comment: string | null = null): CompiledFlow {
    const draft = this.get(id).draft;
    const taken = this.#numbersTaken(draft);
    let probe: CompiledFlow;
    try {
      probe = compileFlow(draft, 0, this.#env()); // validates once
    } catch (error) {
      if (error instanceof FlowValidationError) throw new FlowValidationError([...error.issues, ...taken]);
      throw error;
    }
    if (taken.length > 0) throw new FlowValidationError(taken);
    const version = this.deps.repo.publish(id, draft, actor, comment);
    const flow: CompiledFlow = Object.freeze({ ...probe, version });
    this.catalog.install(flow);
    return flow;
  }

  /** Make an earlier version current. @throws FlowNotFoundError, FlowValidationError (e.g. its audio was deleted). */
  rollback(id: string, version: number, actor: string, comment: string | null = null): CompiledFlow {
    const doc = this.deps.repo.version(id, version);
    if (doc === undefined) throw new FlowNotFoundError(`flow ${id} has no version ${version}`);
    const flow = compileFlow(doc, version, this.#env());
    const taken = this.#numbersTaken(flow.doc);
    if (taken.length > 0) throw new FlowValidationError(taken);
    this.deps.repo.rollback(id, version, actor, comment);
    this.catalog.install(flow);
    return flow;
  }

  versions(id: string) {
    this.get(id);
    return this.deps.repo.versions(id);
  }

  /** @throws FlowNotFoundError */
  version(id: string, version: number): unknown {
    const doc = this.deps.repo.version(id, version);
    if (doc === undefined) throw new FlowNotFoundError(`flow ${id} has no version ${version}`);
    return doc;
  }

  history(id: string) {
    return this.deps.repo.history(id);
  }

  /** Simulate a document (default: the saved draft). @throws FlowValidationError, FlowNotFoundError, RangeError (bad time). */
  async simulate(id: string, doc: unknown | undefined, input: SimulationInput): Promise<SimulationResult> {
    const source = doc ?? this.get(id).draft;
    const flow = compileFlow(source, 0, this.#env());
    return simulateFlow(flow, input, this.deps.registry, this.deps.timeZone);
  }

  #env() {
    return { registry: this.deps.registry, audioExists: this.deps.audioExists };
  }

  #shape(doc: unknown): { id: string; name: string; numbers?: string[] } {
    if (!Value.Check(DraftShape, doc)) {
      throw new FlowShapeError([...Value.Errors(DraftShape, doc)].slice(0, 20).map((e) => ({ path: e.path || '/', code: 'schema', message: e.message })));
    }
    return doc as { id: string; name: string; numbers?: string[] };
  }
}
