import type { IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import { describeState } from '../../../shared/states';
import { withFields } from '../../shared/routing';

/** Adds what the state means and what to do about it; unknown states pass through as they are. */
export async function explainState(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return withFields(items, (json) => ({ ...describeState(String(json.stateInstance)) }));
}
