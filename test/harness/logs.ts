/**
 * Captures everything n8n logs during harness runs: n8n-workflow's LoggerProxy (used by the
 * engine) and the backend Logger from the DI container (what nodes get as `this.logger`, and
 * what n8n-core's ErrorReporter prints errors with, stack and cause chain included).
 *
 * Every level is captured (debug too: a user may run n8n with N8N_LOG_LEVEL=debug), and
 * metadata is serialised with errors expanded (name, message, stack, description, cause, ...),
 * so a test can assert that a secret never reaches a log line.
 */
import { LoggerProxy } from 'n8n-workflow';
import type { Logger as WorkflowLogger, LogMetadata } from 'n8n-workflow';

import { BackendLoggerClass, Container } from './core-deps';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface CapturedLogs {
	/** One entry per log call: `<level> [scopes] <message> <metadata as JSON>`. */
	readonly lines: string[];
	clear(): void;
}

export const logs: CapturedLogs = {
	lines: [],
	clear() {
		this.lines.length = 0;
	},
};

const ERROR_FIELDS = ['name', 'message', 'stack', 'description', 'cause', 'context', 'httpCode', 'errorResponse'];

function expandError(error: Error): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	const record = error as unknown as Record<string, unknown>;
	for (const key of new Set([...ERROR_FIELDS, ...Object.getOwnPropertyNames(error)])) {
		const value = record[key];
		if (value !== undefined) out[key] = value;
	}
	return out;
}

/** JSON for log metadata: errors expanded, cycles cut, bigint and functions tolerated. */
export function serializeForLog(value: unknown): string {
	const seen = new WeakSet<object>();
	const replacer = (_key: string, v: unknown): unknown => {
		if (typeof v === 'bigint') return v.toString();
		if (typeof v === 'function') return `[Function ${(v as { name?: string }).name ?? ''}]`;
		if (typeof v === 'symbol') return v.toString();
		if (v && typeof v === 'object') {
			if (seen.has(v)) return '[Circular]';
			seen.add(v);
			if (v instanceof Error) return expandError(v);
			if (v instanceof Map) return Object.fromEntries(v);
			if (v instanceof Set) return [...v];
		}
		return v;
	};
	try {
		return JSON.stringify(value, replacer) ?? '';
	} catch (error) {
		return `[unserialisable: ${(error as Error).message}]`;
	}
}

class CapturingLogger implements WorkflowLogger {
	constructor(private readonly scopes: string[] = []) {}

	private write(level: LogLevel, message: string, metadata?: LogMetadata) {
		const scope = this.scopes.length ? ` [${this.scopes.join(',')}]` : '';
		const meta = metadata && Object.keys(metadata).length ? ` ${serializeForLog(metadata)}` : '';
		logs.lines.push(`${level}${scope} ${String(message)}${meta}`);
	}

	error(message: string, metadata?: LogMetadata) {
		this.write('error', message, metadata);
	}

	warn(message: string, metadata?: LogMetadata) {
		this.write('warn', message, metadata);
	}

	info(message: string, metadata?: LogMetadata) {
		this.write('info', message, metadata);
	}

	debug(message: string, metadata?: LogMetadata) {
		this.write('debug', message, metadata);
	}

	/** Backend Logger API (used e.g. by n8n-core's PollTriggerExecutor). */
	scoped(scopes: string | string[]): CapturingLogger {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}
}

let installed = false;

/** Route n8n's LoggerProxy and the DI backend Logger to `logs`. Idempotent. */
export function installLogCapture(): void {
	if (installed) return;
	installed = true;
	const logger = new CapturingLogger();
	LoggerProxy.init(logger);
	Container.set(BackendLoggerClass, logger as unknown as InstanceType<typeof BackendLoggerClass>);
}
