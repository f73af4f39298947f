import type { IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import { describeState } from '../../../shared/states';
import { withFields } from '../../shared/routing';

export async function explainAccountState(this: IExecuteSingleFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	return withFields(items, (json) =>
		typeof json.stateInstance === 'string' && json.stateInstance !== '' ? { meaning: describeState(json.stateInstance).meaning } : {},
	);
}
