/**
 * n8n-core's own copies of its DI container and backend logger class. They are transitive
 * dependencies (not in our package.json), so resolve them from n8n-core's location: this
 * guarantees we talk to the very instances n8n-core uses, even if npm did not hoist them.
 */
import { createRequire } from 'node:module';
import type { Container as DiContainer } from '@n8n/di';
import type { Logger as BackendLogger } from '@n8n/backend-common';

const requireFromCore = createRequire(require.resolve('n8n-core'));

export const Container: typeof DiContainer = (requireFromCore('@n8n/di') as { Container: typeof DiContainer }).Container;
export const BackendLoggerClass: typeof BackendLogger = (
	requireFromCore('@n8n/backend-common') as { Logger: typeof BackendLogger }
).Logger;
