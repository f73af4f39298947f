/**
 * Runs every operation fixture in this folder (`<operation>.fixture.ts`) through n8n's engine
 * against the sandbox. Adding an operation to the node without a fixture fails here.
 */
import { greenApiNode } from '../fixtures';
import { describeOperation, loadFixtures } from '../harness/operations';

const fixtures = loadFixtures();

function operationValues(): string[] {
	const operation = greenApiNode.description.properties.find((p) => p.name === 'operation');
	return (operation?.options ?? []).map((option) => String((option as { value: unknown }).value));
}

it('every operation of the node has a fixture, and every fixture an operation', () => {
	expect(fixtures.map((f) => f.operation).sort()).toEqual(operationValues().sort());
});

for (const fixture of fixtures) describeOperation(fixture);
