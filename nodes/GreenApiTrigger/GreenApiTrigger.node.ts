import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { failureOf, isTransient } from '../shared/errors';
import { KNOWN_STATES, describeState } from '../shared/states';
import { greenApiRequest, instanceCredentials } from '../shared/transport';

/** What the trigger remembers between polls, in the workflow's static data. */
interface Watch {
	idInstance?: string;
	state?: string;
	/** When the current state was first seen. */
	since?: string;
	/** Whether `since` is when the state began (a change was seen), not merely when watching began. */
	sinceKnown?: boolean;
	/** The stuck event of the current stint in `state` has been emitted. */
	stuckReported?: boolean;
}

interface TriggerOptions {
	emitInitialState?: boolean;
	stuckState?: string;
	stuckAfterMinutes?: number;
	timeout?: number;
}

/** GREEN-API: more than 5 minutes in starting needs a reboot. */
const DEFAULT_STUCK_MINUTES = 5;

type EventName = 'stateChanged' | 'stuck' | 'initialState' | 'currentState';

const stateOptions = KNOWN_STATES.map((state) => ({ name: state, value: state }));

export class GreenApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GREEN-API Trigger',
		name: 'greenApiTrigger',
		icon: { light: 'file:../../icons/greenApi.svg', dark: 'file:../../icons/greenApi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Instance state changes',
		description: 'Starts the workflow when a GREEN-API WhatsApp instance changes state (polls getStateInstance)',
		defaults: { name: 'GREEN-API Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'greenApi', required: true }],
		properties: [
			{
				displayName: 'Fire On States',
				name: 'states',
				type: 'multiOptions',
				options: stateOptions,
				default: [],
				description:
					'Fire only when the instance changes to one of these states. Leave empty to fire on any change, including states GREEN-API adds later.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Emit Current State on First Poll',
						name: 'emitInitialState',
						type: 'boolean',
						default: false,
						description:
							'Whether the first poll of a new watch emits the current state; otherwise it only records it',
					},
					{
						displayName: 'Stuck After Minutes',
						name: 'stuckAfterMinutes',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_STUCK_MINUTES,
						description:
							'Fire once when the instance stays in the Stuck State longer than this. GREEN-API advises a reboot after 5 minutes in starting. Adding this or Stuck State turns stuck detection on.',
					},
					{
						displayName: 'Stuck State',
						name: 'stuckState',
						type: 'options',
						options: stateOptions,
						default: 'starting',
						description: 'The state watched by Stuck After Minutes',
					},
					{
						displayName: 'Timeout',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 60,
						description: 'Seconds to wait for GREEN-API to answer one poll',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const fireOn = this.getNodeParameter('states', []) as string[];
		const manual = this.getMode() === 'manual';
		const { idInstance } = await instanceCredentials(this);

		let state: string;
		try {
			const answer = (await greenApiRequest(this, {
				method: 'getStateInstance',
				timeoutMs: options.timeout ? options.timeout * 1000 : undefined,
			})) as IDataObject;
			if (typeof answer.stateInstance !== 'string' || answer.stateInstance === '') {
				if (manual) throw new NodeOperationError(this.getNode(), 'GREEN-API answered without a stateInstance');
				this.logger.warn('GREEN-API answered without a stateInstance; the state is left as it was', { idInstance });
				return null;
			}
			state = answer.stateInstance;
		} catch (error) {
			const failure = failureOf(error);
			// The next poll will tell: a passing failure must neither fire nor move the stored state.
			if (!manual && failure && isTransient(failure)) {
				this.logger.warn(`GREEN-API Trigger skipped a poll: ${(error as Error).message}`, { idInstance });
				return null;
			}
			throw error instanceof NodeApiError || error instanceof NodeOperationError
				? error
				: new NodeOperationError(this.getNode(), error as Error);
		}

		const now = new Date();
		const watch = this.getWorkflowStaticData('node') as Watch;
		const emit = (event: EventName, extra: IDataObject = {}): INodeExecutionData[][] => [
			[
				{
					json: {
						event,
						idInstance,
						stateInstance: state,
						...describeState(state),
						...extra,
					},
				},
			],
		];

		// "Fetch Test Event": show the state now, without touching what an active workflow remembers.
		if (manual) {
			return emit('currentState', {
				previousState: watch.idInstance === idInstance ? (watch.state ?? null) : null,
				changedAt: null,
				stateSince: watch.idInstance === idInstance && watch.state === state ? (watch.since ?? null) : null,
				polledAt: now.toISOString(),
			});
		}

		const wanted = fireOn.length === 0 || fireOn.includes(state);

		if (watch.state === undefined || watch.idInstance !== idInstance) {
			Object.assign(watch, { idInstance, state, since: now.toISOString(), sinceKnown: false, stuckReported: false });
			if (!options.emitInitialState || !wanted) return null;
			return emit('initialState', { previousState: null, changedAt: null, stateSince: null, polledAt: now.toISOString() });
		}

		if (state !== watch.state) {
			const previousState = watch.state;
			// Read before the watch moves on: whether the previous state's start is known.
			const previousSince = watch.sinceKnown && watch.since ? watch.since : null;
			const lasted = previousSince ? Math.round((now.getTime() - Date.parse(previousSince)) / 1000) : null;
			Object.assign(watch, { state, since: now.toISOString(), sinceKnown: true, stuckReported: false });
			if (!wanted) return null;
			return emit('stateChanged', {
				previousState,
				changedAt: now.toISOString(),
				previousStateSince: previousSince,
				previousStateDurationSeconds: lasted,
			});
		}

		// Adding either stuck option turns detection on; the other takes its default.
		const watchingStuck = options.stuckAfterMinutes !== undefined || options.stuckState !== undefined;
		const stuckAfterMinutes = options.stuckAfterMinutes ?? DEFAULT_STUCK_MINUTES;
		const stuckState = options.stuckState ?? 'starting';
		if (watchingStuck && state === stuckState && !watch.stuckReported && watch.since) {
			const minutes = (now.getTime() - Date.parse(watch.since)) / 60_000;
			if (minutes > stuckAfterMinutes) {
				watch.stuckReported = true;
				return emit('stuck', {
					previousState: null,
					changedAt: null,
					stateSince: watch.since,
					stuckForMinutes: Math.floor(minutes),
				});
			}
		}
		return null;
	}
}
