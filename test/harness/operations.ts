/**
 * Tests as data: one fixture per GreenApi operation (test/operations/<operation>.fixture.ts),
 * each a list of cases run through n8n's engine against the sandbox over real HTTP.
 *
 * A case says: the instance as the sandbox should hold it, faults to inject, the node's
 * parameters and input items, and what must come out (output items, or the error), how many
 * requests GREEN-API saw, and optionally a second run that shows the effect of the first.
 * Every case also checks, without being asked: output item i is paired with input item i, and
 * no token appears in the result or in n8n's logs.
 */
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { credentialsFor, items, makeToken, runGreenApi, startSandbox } from '../fixtures';
import type { Fault, InstanceDef, Sandbox, SandboxOptions } from '../fixtures';
import type { NodeRunResult } from './engine';
import { logs } from './engine';
import { expectNoToken } from './expect';

/** What the node must give: compared with toEqual (`output`) or toMatchObject (`outputLike`). */
export interface Expected {
	/** Each output item's json, in order; jest matchers (expect.stringMatching, ...) allowed. */
	output?: IDataObject[];
	/** Like output, but each item only needs to contain these fields. */
	outputLike?: IDataObject[];
	/** Each output item's binary (matched as a subset), or null for none. */
	binary?: Array<IDataObject | null>;
	/** The run fails with this message (exact text, or a pattern), and gives no items. */
	error?: string | RegExp;
	errorDescription?: RegExp;
	/** Requests per GREEN-API method the sandbox saw, e.g. `{ checkWhatsapp: 3 }`. */
	requests?: Record<string, number>;
	/** Answers per status per method, e.g. `{ checkWhatsapp: { '200': 6 } }`. */
	statuses?: Record<string, Record<string, number>>;
	/** Requests of any kind the sandbox saw. */
	totalRequests?: number;
}

export interface OperationCase extends Expected {
	title: string;
	/** The instance, beyond the defaults (authorized, phone 79001234567, which is also its only known number). */
	instance?: Partial<Omit<InstanceDef, 'idInstance' | 'apiTokenInstance'>>;
	/** Options for a sandbox of the case's own (e.g. `errorStyle: 'text'`). */
	sandbox?: SandboxOptions;
	/** Injected for this case's instance before the run. */
	faults?: Array<Omit<Fault, 'idInstance'>>;
	/** Parameters besides `resource` and `operation`. */
	parameters?: INodeParameters;
	/** Input items' json; default one empty item. */
	input?: IDataObject[];
	continueOnFail?: boolean;
	/** A second run on the same instance, to see what the first one did. */
	then?: { operation: string; parameters?: INodeParameters } & Expected;
	/** What data cannot say (bytes of a file, fields of a live error). */
	check?: (result: NodeRunResult) => void;
	/**
	 * The output fields of this case (its first input item) are part of the compatibility contract
	 * (test/compat.test.ts runs it): mark one success case per output shape of the operation.
	 */
	contract?: boolean;
}

export interface OperationFixture {
	/** The `value` of the operation in the node. */
	operation: string;
	cases: OperationCase[];
}

/** Every fixture in test/operations (`<operation>.fixture.ts`), in file order. */
export function loadFixtures(): OperationFixture[] {
	const folder = path.join(__dirname, '..', 'operations');
	return readdirSync(folder)
		.filter((file) => file.endsWith('.fixture.ts'))
		.sort()
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		.map((file) => (require(path.join(folder, file)) as { fixture: OperationFixture }).fixture);
}

function expectResult(result: NodeRunResult, expected: Expected, inputCount: number, sandbox: Sandbox): void {
	if (expected.error !== undefined) {
		if (typeof expected.error === 'string') expect(result.error?.message).toBe(expected.error);
		else expect(result.error?.message).toMatch(expected.error);
		if (expected.errorDescription) expect(result.error?.description).toMatch(expected.errorDescription);
		expect(result.items).toEqual([]);
	} else {
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.pairedItem)).toEqual(Array.from({ length: inputCount }, (_, item) => ({ item })));
	}
	const json = result.items.map((item: INodeExecutionData) => item.json);
	if (expected.output) expect(json).toEqual(expected.output);
	if (expected.outputLike) expect(json).toMatchObject(expected.outputLike);
	if (expected.binary) expect(result.items.map((item) => item.binary?.data ?? null)).toMatchObject(expected.binary);
	const stats = sandbox.stats();
	for (const [method, count] of Object.entries(expected.requests ?? {})) expect(stats.byMethod[method]?.requests ?? 0).toBe(count);
	for (const [method, byStatus] of Object.entries(expected.statuses ?? {})) expect(stats.byMethod[method]?.byStatus).toEqual(byStatus);
	if (expected.totalRequests !== undefined) expect(stats.total).toBe(expected.totalRequests);
}

/**
 * Declares a jest describe block running every case of the fixture. `sandboxOptions` go to every
 * sandbox it starts (operations.test.ts passes the virtual clock's `now`).
 */
export function describeOperation(fixture: OperationFixture, sandboxOptions: SandboxOptions = {}): void {
	describe(fixture.operation, () => {
		let shared: Sandbox;
		// Each case gets an instance of its own: the pacer keeps an instance's pace for the whole file.
		let nextId = 1102000000;

		beforeAll(async () => {
			shared = await startSandbox({ rebootMs: 300, ...sandboxOptions });
		});
		afterAll(async () => await shared.close());

		it.each(fixture.cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
			const own = c.sandbox ? await startSandbox({ rebootMs: 300, ...sandboxOptions, ...c.sandbox }) : undefined;
			const sandbox = own ?? shared;
			try {
				const idInstance = String(nextId++);
				const instance: InstanceDef = { idInstance, apiTokenInstance: makeToken(idInstance), ...c.instance };
				sandbox.addInstance(instance);
				sandbox.resetStats();
				logs.clear();
				for (const fault of c.faults ?? []) sandbox.injectFault({ ...fault, idInstance });
				const credentials = credentialsFor(sandbox, instance);
				const input = c.input ?? [{}];

				const result = await runGreenApi(
					credentials,
					{ operation: fixture.operation, ...c.parameters },
					{ items: items(...input), continueOnFail: c.continueOnFail },
				);
				expectResult(result, c, input.length, sandbox);
				c.check?.(result);
				expectNoToken(result, [instance.apiTokenInstance]);

				if (c.then) {
					sandbox.resetStats();
					const next = await runGreenApi(credentials, { operation: c.then.operation, ...c.then.parameters });
					expectResult(next, c.then, 1, sandbox);
					expectNoToken(next, [instance.apiTokenInstance]);
				}
			} finally {
				await own?.close();
			}
		}, 60_000);
	});
}
