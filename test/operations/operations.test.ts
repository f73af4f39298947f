/**
 * Runs every operation fixture in this folder (`<operation>.fixture.ts`) through n8n's engine
 * against the sandbox. Adding an operation to the node without a fixture fails here.
 * The nodes and the sandbox run on a virtual clock (harness/clock.ts): a case's second request to
 * its instance, or a retry, waits for the pace or the backoff in virtual time only.
 */
import { greenApiNode } from '../fixtures';
import { useSkipClock } from '../harness/clock';
import { describeOperation, loadFixtures } from '../harness/operations';

const fixtures = loadFixtures();

function operationValues(): string[] {
	const operation = greenApiNode.description.properties.find((p) => p.name === 'operation');
	return (operation?.options ?? []).map((option) => String((option as { value: unknown }).value));
}

it('every operation of the node has a fixture, and every fixture an operation', () => {
	expect(fixtures.map((f) => f.operation).sort()).toEqual(operationValues().sort());
});

const clock = useSkipClock();
for (const fixture of fixtures) describeOperation(fixture, { now: clock.now });
