/**
 * How the fleet trigger writes its watch into n8n's real static data object (n8n-workflow's
 * Workflow and its ObservableObject): n8n saves static data only when it marked it changed, and
 * an active workflow keeps one Workflow object from poll to poll, so a change that n8n does not
 * notice is lost at the next restart (and then emitted again).
 */
import { Workflow } from 'n8n-workflow';
import type { IDataObject, INode, INodeType, INodeTypes } from 'n8n-workflow';

import { rememberFleet } from '../../nodes/GreenApiTrigger/fleetPoll';
import type { FleetWatch } from '../../nodes/GreenApiTrigger/fleetDecide';

const node: INode = { id: 'n1', name: 'GREEN-API Trigger', type: 'test.trigger', typeVersion: 1, position: [0, 0], parameters: {} };
const nodeType = { description: { properties: [], defaults: {}, inputs: [], outputs: [] } } as unknown as INodeType;
const nodeTypes: INodeTypes = { getByName: () => nodeType, getByNameAndVersion: () => nodeType, getKnownTypes: () => ({}) } as unknown as INodeTypes;

/** An active workflow as n8n loads it, with `staticData` as stored. */
function loaded(staticData?: IDataObject): Workflow {
	return new Workflow({ id: 'w1', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
}

const watch = (states: Record<string, string>): FleetWatch => ({
	instances: Object.fromEntries(Object.entries(states).map(([id, s]) => [id, { s, t: 1 }])),
});

/** One poll: what n8n would see (and save) afterwards. */
function poll(wf: Workflow, next: FleetWatch): boolean {
	(wf.staticData as IDataObject & { __dataChanged: boolean }).__dataChanged = false;
	rememberFleet(wf.getStaticData('node', node), next);
	return (wf.staticData as { __dataChanged?: boolean }).__dataChanged === true;
}

describe('the watch in n8n\'s static data', () => {
	it('one Workflow across polls (first activation): every change is marked, no change is not', () => {
		const wf = loaded();
		expect(poll(wf, watch({ a: 'authorized', b: 'authorized' }))).toBe(true);
		expect(poll(wf, watch({ a: 'authorized', b: 'authorized' }))).toBe(false);
		// A change to an instance of the map added in this process: the case n8n would miss if edited in place.
		expect(poll(wf, watch({ a: 'blocked', b: 'authorized' }))).toBe(true);
		expect(poll(wf, watch({ a: 'blocked' }))).toBe(true);
		expect(JSON.parse(JSON.stringify(wf.staticData))).toEqual({ 'node:GREEN-API Trigger': watch({ a: 'blocked' }) });
	});

	it('after a restart (loaded from what was saved): the same', () => {
		const wf = loaded({ 'node:GREEN-API Trigger': watch({ a: 'authorized', b: 'authorized' }) as IDataObject });
		expect(poll(wf, watch({ a: 'authorized', b: 'authorized' }))).toBe(false);
		expect(poll(wf, watch({ a: 'authorized', b: 'notAuthorized' }))).toBe(true);
		expect(poll(wf, watch({ a: 'starting', b: 'notAuthorized' }))).toBe(true);
	});

	it('the single trigger\'s fields give way to the fleet watch', () => {
		const wf = loaded({ 'node:GREEN-API Trigger': { idInstance: '1101000001', state: 'authorized' } });
		expect(poll(wf, watch({ a: 'authorized' }))).toBe(true);
		expect(JSON.parse(JSON.stringify(wf.staticData))).toEqual({ 'node:GREEN-API Trigger': watch({ a: 'authorized' }) });
	});
});
