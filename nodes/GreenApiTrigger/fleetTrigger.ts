/**
 * The trigger's fleet mode: its parameters (shown with the partner credential) and the step from
 * the node's parameters and credential to pollFleet (fleetPoll.ts).
 */
import { NodeOperationError } from 'n8n-workflow';
import type { INodeExecutionData, INodeProperties, IPollFunctions } from 'n8n-workflow';

import { FLEET_DEFAULTS, pollFleet } from './fleetPoll';
import type { FleetSource } from './fleetPoll';
import type { FleetSettings } from './fleetDecide';
import { settingsFrom } from './decide';
import type { TriggerOptions } from './decide';
import { fleetSource } from './fleetSource';

export const FLEET = 'partner';
const showFleet = { show: { authentication: [FLEET] } };
/** Inside the Options collection a parameter of the node is named from the root. */
const showFleetOption = { show: { '/authentication': [FLEET] } };

/** The fleet's own parameters; the Options collection's entries below are added to the node's. */
export const fleetProperties: INodeProperties[] = [
	{
		displayName: 'Also Fire On',
		name: 'fleetEvents',
		type: 'multiOptions',
		displayOptions: showFleet,
		options: [
			{ name: 'Instance Appeared', value: 'instanceAppeared', description: 'A new instance is in the partner list' },
			{ name: 'Instance Deleted', value: 'instanceDeleted', description: 'An instance was deleted from the partner account' },
			{ name: 'Instance Expired', value: 'instanceExpired', description: 'The paid period of an instance ended' },
			{
				name: 'Instance Unreachable',
				value: 'unreachable',
				description: 'An instance gave no state on several polls in a row (see Unreachable After Polls); fires again (reachable) when it answers',
			},
		],
		default: ['instanceAppeared', 'instanceDeleted', 'instanceExpired', 'unreachable'],
		description: 'Events about the fleet itself, besides state changes. Appear, delete and expire are seen when the instance list is refreshed.',
	},
];

export const fleetOptions: INodeProperties[] = [
	{
		displayName: 'Parallel Requests',
		name: 'parallelRequests',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100, numberPrecision: 0 },
		displayOptions: showFleetOption,
		default: 20,
		description: 'How many instances are asked for their state at once. Each instance is asked once per poll.',
	},
	{
		displayName: 'Refresh Instance List Every (Minutes)',
		name: 'listEveryMinutes',
		type: 'number',
		typeOptions: { minValue: 0 },
		displayOptions: showFleetOption,
		default: 10,
		description:
			'The instance list (one request, but it carries every instance) is kept in memory this long; new, deleted and expired instances are seen when it is refreshed. 0 lists on every poll. An instance that refuses its token also makes the next poll list again.',
	},
	{
		displayName: 'Unreachable After Polls',
		name: 'unreachableAfterPolls',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		displayOptions: showFleetOption,
		default: 3,
		description:
			'An instance that gives no state (timeout, 429, 5xx, unreachable host) on this many polls in a row is reported once (event unreachable). Before that, and for every single failure, its state is left as it was. 0 never reports it.',
	},
];

interface FleetParameterOptions extends TriggerOptions {
	parallelRequests?: number;
	listEveryMinutes?: number;
	unreachableAfterPolls?: number;
}

function wholeNumber(value: unknown, field: string, min: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
		throw new Error(`${field} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
	}
	return value;
}

/** The fleet's settings from the node's parameters; throws an Error naming the option. */
export function fleetSettingsFrom(fireOn: unknown, fleetEvents: unknown, options: FleetParameterOptions): FleetSettings {
	const events = Array.isArray(fleetEvents) ? fleetEvents.map(String) : [];
	return {
		// The queue alert costs a request per instance and poll: not offered for a fleet.
		...settingsFrom(fireOn, { ...options, queueThreshold: undefined }),
		appeared: events.includes('instanceAppeared'),
		deleted: events.includes('instanceDeleted'),
		expired: events.includes('instanceExpired'),
		unreachableAfterPolls: events.includes('unreachable')
			? wholeNumber(options.unreachableAfterPolls ?? FLEET_DEFAULTS.unreachableAfterPolls, 'Unreachable After Polls', 0)
			: 0,
	};
}

/** The trigger's poll with the partner credential. */
export async function pollFleetTrigger(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const options = ctx.getNodeParameter('options', {}) as FleetParameterOptions;
	let settings: FleetSettings;
	let concurrency: number;
	let listEveryMinutes: number;
	try {
		settings = fleetSettingsFrom(ctx.getNodeParameter('states', []), ctx.getNodeParameter('fleetEvents', []), options);
		concurrency = wholeNumber(options.parallelRequests ?? FLEET_DEFAULTS.concurrency, 'Parallel Requests', 1);
		listEveryMinutes = options.listEveryMinutes ?? FLEET_DEFAULTS.listEveryMinutes;
		if (typeof listEveryMinutes !== 'number' || !(listEveryMinutes >= 0)) throw new Error(`Refresh Instance List Every (Minutes) must be 0 or more, got ${JSON.stringify(listEveryMinutes)}`);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, { description: 'Correct this option of the GREEN-API Trigger.' });
	}
	const source: FleetSource = await fleetSource(ctx);
	return await pollFleet(ctx, source, settings, {
		concurrency,
		timeoutMs: (options.timeout ?? FLEET_DEFAULTS.timeoutSeconds) * 1000,
		listEveryMs: listEveryMinutes * 60_000,
	});
}
