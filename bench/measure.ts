/** Small measuring tools for the benchmark: memory sampling, rate-window counts, formatting. */

const MB = 1024 * 1024;

/** Runs the garbage collector when node runs with --expose-gc (npm run bench does). */
export function collectGarbage(): void {
	const gc = (globalThis as { gc?: () => void }).gc;
	if (gc) {
		gc();
		gc();
	}
}

export interface MemoryPeak {
	/** Highest heapUsed seen, minus heapUsed at the start (after a GC), in MB. */
	heapMB: number;
	/** Highest resident set size of the whole process seen, in MB. */
	rssMB: number;
}

/** Samples process memory every `everyMs` until stop(). */
export function sampleMemory(everyMs = 10): { stop(): MemoryPeak } {
	collectGarbage();
	const base = process.memoryUsage().heapUsed;
	let heap = base;
	let rss = process.memoryUsage.rss();
	const sample = () => {
		const m = process.memoryUsage();
		heap = Math.max(heap, m.heapUsed);
		rss = Math.max(rss, m.rss);
	};
	const timer = setInterval(sample, everyMs);
	return {
		stop() {
			clearInterval(timer);
			sample();
			return { heapMB: (heap - base) / MB, rssMB: rss / MB };
		},
	};
}

/** heapUsed after a full GC, in MB: what is still referenced. */
export function retainedHeapMB(): number {
	collectGarbage();
	return process.memoryUsage().heapUsed / MB;
}

// One definition for the tests and the benchmark.
export { maxInWindow } from '../test/arrivals';

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const fixed = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const percent = (fraction: number): string => `${fixed(fraction * 100, 0)}%`;

/** A Markdown table; also readable as plain text in a terminal. */
export function table(head: string[], rows: string[][]): string {
	const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
	return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
