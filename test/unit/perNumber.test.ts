/**
 * As an AI agent's tool, n8n 2.x runs the node on an input item made of the agent's own input,
 * the model's arguments and `toolCallId` (n8n-core requests-response.js), and marks the node with
 * `rewireOutputLogTo: 'ai_tool'`: the answer then comes alone. The engine harness runs no agent,
 * so this is checked on the step itself.
 */
import type { IExecuteSingleFunctions, INode } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { errorWithInputFields, withInputFields } from '../../nodes/GreenApi/perNumber';

const toolCall = { chatInput: 'is +44 1234 567891 on WhatsApp?', sessionId: 's1', phoneNumber: '+44 1234 567891', toolCallId: 'call_1' };
const answer = { phoneNumber: '441234567891', existsWhatsapp: true };

function ctx(node: Partial<INode>): IExecuteSingleFunctions {
	return { getNode: () => node as INode, getInputData: () => ({ json: toolCall }) } as unknown as IExecuteSingleFunctions;
}

test('as an AI tool: the answer alone, and n8n\'s own error item', () => {
	const asTool = ctx({ rewireOutputLogTo: NodeConnectionTypes.AiTool });
	expect(withInputFields(asTool, [{ json: answer }], false, {}).map((i) => i.json)).toEqual([answer]);
	expect(errorWithInputFields(asTool, new Error('quota'), {})).toBeUndefined();
});

test('in a workflow: the input item\'s fields with the answer over them', () => {
	const inFlow = ctx({});
	expect(withInputFields(inFlow, [{ json: answer }], true, {}).map((i) => i.json)).toEqual([
		{ ...toolCall, ...answer, repeatOfEarlierItem: true },
	]);
	expect(errorWithInputFields(inFlow, new Error('quota'), {})?.json).toEqual({ ...toolCall, error: 'quota' });
});
