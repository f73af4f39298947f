import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { clock } from '../client/clock';
import { failureOf, howItPasses } from '../client/errors';
import { readMessagesCount } from '../client/queue';
import { KNOWN_STATES } from '../client/states';
import { greenApiRequest, instanceCredentials } from '../client/transport';
import { METHODS } from '../GreenApi/resources/instance';
import { DEFAULT_STUCK_MINUTES, DEFAULT_STUCK_STATE, decide, settingsFrom, testEvent } from './decide';
import type { Observation, Settings, TriggerOptions, Watch } from './decide';

const stateOptions = KNOWN_STATES.map((state) => ({ name: state, value: state }));

export class GreenApiTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'GREEN-API Trigger',
		name: 'greenApiTrigger',
		icon: { light: 'file:../../icons/greenApi.svg', dark: 'file:../../icons/greenApi.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: 'Instance state changes',
		// n8n's nodes panel lists this node and the GREEN-API node as one entry and shows this
		// description for both, so it speaks for the pair.
		description: 'Watch and manage WhatsApp instances through GREEN-API: state alerts, number checks, QR codes, reboots, unban appeals',
		defaults: { name: 'GREEN-API Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'greenApi', required: true }],
		properties: [
			{
				// n8n's nodes panel names a trigger's entries after the options of a property shown as
				// "Trigger On" (or "Event"): with none it says "On new GREEN-API event".
				displayName: 'Trigger On',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Instance State Change',
						value: 'stateChange',
						action: 'On WhatsApp instance state change',
						description:
							'The instance changes state; optionally also when it stays too long in a state or messages pile up in its outgoing queue (see Options)',
					},
				],
				default: 'stateChange',
			},
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
						displayName: 'Alert When Queue Above',
						name: 'queueThreshold',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 100,
						description:
							'Fire once (event messagesPilingUp) when more messages than this wait in the outgoing queue, and again only after the queue fell back to this or below and rose again. Messages pile up while the instance is not authorized or on a yellow card. Costs one more request (getMessagesCount) per poll.',
					},
					{
						displayName: 'Emit Current State on First Poll',
						name: 'emitInitialState',
						type: 'boolean',
						default: false,
						description:
							'Whether the first poll of a new watch emits the current state; otherwise it only records it',
					},
					{
						displayName: 'Polls to Confirm',
						name: 'confirmPolls',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: 1,
						description:
							'Fire only when a new state (or a queue above the alert level) was seen on this many polls in a row; a state that is wrong for a moment then fires nothing. 1 fires at once. Durations count from the first sighting.',
					},
					{
						displayName: 'Stuck Thresholds',
						name: 'stuckThresholds',
						type: 'fixedCollection',
						typeOptions: { multipleValues: true },
						placeholder: 'Add Threshold',
						default: {},
						description:
							'Fire once (event stuck) when the instance stays in a state longer than its threshold, whatever Fire On States says; again only after the state changed and came back. GREEN-API advises a reboot after 5 minutes in starting.',
						options: [
							{
								displayName: 'Threshold',
								name: 'threshold',
								values: [
									{
										displayName: 'State',
										name: 'state',
										type: 'options',
										options: stateOptions,
										default: DEFAULT_STUCK_STATE,
										description: 'The state to watch',
									},
									{
										displayName: 'Minutes',
										name: 'minutes',
										type: 'number',
										typeOptions: { minValue: 1 },
										default: DEFAULT_STUCK_MINUTES,
										description: 'Fire when the instance stays in the state longer than this many minutes',
									},
								],
							},
						],
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
		let settings: Settings;
		try {
			settings = settingsFrom(this.getNodeParameter('states', []), options);
		} catch (error) {
			throw new NodeOperationError(this.getNode(), (error as Error).message, { description: 'Correct this option of the GREEN-API Trigger.' });
		}
		const manual = this.getMode() === 'manual';
		const { idInstance } = await instanceCredentials(this);
		const timeoutMs = options.timeout ? options.timeout * 1000 : undefined;

		const stateAnswer = await sitOutPassingFailure(this, manual, idInstance, 'GREEN-API Trigger skipped a poll', async () =>
			(await greenApiRequest(this, { method: METHODS.getStateInstance, timeoutMs })) as IDataObject,
		);
		if (stateAnswer === undefined) return null;
		if (typeof stateAnswer.stateInstance !== 'string' || stateAnswer.stateInstance === '') {
			if (manual) throw new NodeOperationError(this.getNode(), 'GREEN-API answered without a stateInstance');
			this.logger.warn('GREEN-API answered without a stateInstance; the state is left as it was', { idInstance });
			return null;
		}
		const observation: Observation = { idInstance, stateInstance: stateAnswer.stateInstance, now: new Date(clock.now()) };

		// One more request per poll, only with the queue alert on. A count that cannot be read
		// leaves the queue's part of the watch as it was; the state is still handled.
		if (settings.queueThreshold !== null) {
			const countAnswer = await sitOutPassingFailure(this, manual, idInstance, 'GREEN-API Trigger skipped the queue check of this poll', async () =>
				await greenApiRequest(this, { method: METHODS.getMessagesCount, timeoutMs }),
			);
			if (countAnswer !== undefined) {
				try {
					observation.messagesCount = readMessagesCount(countAnswer);
				} catch (error) {
					if (manual) throw new NodeOperationError(this.getNode(), (error as Error).message);
					this.logger.warn(`${(error as Error).message}; the queue check is left as it was`, { idInstance });
				}
			}
		}

		const staticData = this.getWorkflowStaticData('node');
		const stored = staticData as Watch;

		// "Fetch Test Event": the state now, without touching what an active workflow remembers.
		if (manual) return [[{ json: testEvent(stored, observation, settings) }]];

		const { events, watch } = decide(stored, observation, settings);
		remember(staticData, watch);
		return events.length > 0 ? [events.map((json) => ({ json }))] : null;
	}
}

/**
 * Runs one request of a poll. A passing failure (the next poll will tell) is logged and comes
 * back as `undefined` in an active workflow: it must neither fire nor move the stored state.
 * Anything else, and every failure of a manual run, is thrown.
 */
async function sitOutPassingFailure<T>(
	ctx: IPollFunctions,
	manual: boolean,
	idInstance: string,
	skipped: string,
	request: () => Promise<T>,
): Promise<T | undefined> {
	try {
		return await request();
	} catch (error) {
		const failure = failureOf(error);
		if (!manual && failure && howItPasses(failure) !== 'never') {
			ctx.logger.warn(`${skipped}: ${(error as Error).message}`, { idInstance });
			return undefined;
		}
		throw error instanceof NodeApiError || error instanceof NodeOperationError
			? error
			: new NodeOperationError(ctx.getNode(), error as Error);
	}
}

/** Writes only what changed, so n8n sees static data as changed only when it is. */
function remember(staticData: IDataObject, watch: Watch): void {
	const next = watch as IDataObject;
	for (const key of Object.keys(staticData)) {
		if (!(key in next) || next[key] === undefined) delete staticData[key];
	}
	for (const [key, value] of Object.entries(next)) {
		if (value !== undefined && JSON.stringify(staticData[key]) !== JSON.stringify(value)) staticData[key] = value as IDataObject;
	}
}
