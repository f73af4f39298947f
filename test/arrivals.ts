/** Largest number of times inside any window of `windowMs` (a gap of exactly windowMs is allowed, as by GREEN-API). */
export function maxInWindow(times: number[], windowMs = 1000): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; j < sorted.length; j++) {
		while (sorted[j] - sorted[i] >= windowMs) i++;
		most = Math.max(most, j - i + 1);
	}
	return most;
}

/**
 * Accepted requests per second against the limit, from the first accepted request to the last:
 * how much of an instance's limit a run used (1 = the whole limit).
 */
export function shareOfLimit(times: number[], perSecond: number): number {
	const span = (Math.max(...times) - Math.min(...times)) / 1000;
	return (times.length - 1) / span / perSecond;
}
