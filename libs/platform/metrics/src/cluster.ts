import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import { metricsRegistry } from './registry';

const REQUEST = 'twofold:metrics-request';
const ANSWER = 'twofold:metrics-answer';
const ANSWER_TIMEOUT_MS = 7_000;

interface Request {
  type: typeof REQUEST;
  id: number;
}
interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

const isRequest = (m: unknown): m is Request => (m as Request | null)?.type === REQUEST;
const isAnswer = (m: unknown): m is Answer => (m as Answer | null)?.type === ANSWER;

/**
 * HTTP_PROCESSES > 1 (node:cluster): a scrape reaches one worker process, so that worker asks the
 * primary, which gathers every worker's registry through prom-client's AggregatorRegistry (counters
 * and histograms summed; the scrape-time gauges take the max, since each worker reads the same
 * source). Call in the primary before forking.
 */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isRequest(message)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id: message.id, error: error.message } satisfies Answer),
    );
  });
}

let joined = false;
let nextId = 0;
const waiting = new Map<number, { resolve: (text: string) => void; reject: (e: Error) => void }>();

/** Call in each cluster worker: its registry answers the primary, and /metrics asks the primary. */
export function joinClusterMetrics(): void {
  if (joined || !cluster.isWorker) return;
  joined = true;
  AggregatorRegistry.setRegistries([metricsRegistry]);
  // Constructing one installs prom-client's listener that answers the primary's requests.
  new AggregatorRegistry();
  process.on('message', (message: unknown) => {
    if (!isAnswer(message)) return;
    const pending = waiting.get(message.id);
    if (!pending) return;
    waiting.delete(message.id);
    if (message.text !== undefined) pending.resolve(message.text);
    else pending.reject(new Error(message.error ?? 'no metrics'));
  });
}

/** The text /metrics answers: this process's registry, or the whole cluster's in a cluster worker. */
export function metricsText(): Promise<string> {
  const send = process.send?.bind(process);
  if (!joined || !send) return metricsRegistry.metrics();
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id);
      reject(new Error('the primary did not answer with the cluster metrics'));
    }, ANSWER_TIMEOUT_MS);
    waiting.set(id, {
      resolve: (text) => {
        clearTimeout(timer);
        resolve(text);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    send({ type: REQUEST, id } satisfies Request);
  });
}
