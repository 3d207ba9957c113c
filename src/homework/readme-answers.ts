// The homework README's answer slots. Since 2024 the course platform reads the homework repository's
// README, while dec checks answers.yaml: each question in the README gets a slot between two markers
// that only dec writes, and `dec homework check` copies the answer (and the query or command) from
// answers.yaml into it. Everything outside the slots is the student's and is never touched. Pure.
import type { Question } from '../syllabus/schema.js';
import type { Answer } from './check.js';

/**
 * `<!-- dec:answer q1 ... #1a2b3c4d -->` opens a slot, `<!-- /dec:answer q1 -->` closes it. The
 * number is a hash of what dec wrote in it: a slot whose text no longer matches was edited by hand.
 */
const SLOT = /(<!-- dec:answer ([A-Za-z0-9_-]+)((?: [^\n]*?)?) -->)([\s\S]*?)(<!-- \/dec:answer \2 -->)/g;

const OPEN_NOTE = 'dec copies your answer here from answers.yaml on `dec homework check`; edit it there';

/** FNV-1a, 32 bits: enough to tell dec's own text from an edit (no node:crypto on the start path). */
function stamp(body: string): string {
  let hash = 0x811c9dc5;
  for (const char of body.replace(/\r\n/g, '\n')) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

const openMarker = (id: string, body: string) => `<!-- dec:answer ${id} ${OPEN_NOTE} #${stamp(body)} -->`;

/** A fence longer than any run of backticks in the text, so a query cannot close it early. */
function fenced(language: string, text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((run) => run[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}`;
}

/** What a slot holds for a question: the answer on one line, then the query or command used. */
function slotBody(question: Question, answer: Answer | undefined): string {
  // One line; an HTML comment opened in an answer would hide the text after it, or end the slot.
  const text = (answer?.answer ?? '').replace(/\s+/g, ' ').trim().replaceAll('<!--', '&lt;!--');
  const lines = ['', `**Answer:**${text === '' ? '' : ` ${text}`}`];
  if (question.kind === 'sql') lines.push('', 'Query used:', '', fenced('sql', answer?.sql ?? ''));
  if (question.kind === 'command') lines.push('', 'Command used:', '', fenced('shell', answer?.command ?? ''));
  return `${lines.join('\n')}\n`;
}

/** A question's slot as a new README has it (homework/render.ts puts one under each question). */
export function answerSlot(question: Question, answer?: Answer): string {
  const body = slotBody(question, answer);
  return `${openMarker(question.id, body)}${body}<!-- /dec:answer ${question.id} -->`;
}

export interface ReadmeSync {
  /** The README with its slots filled from the answers. */
  text: string;
  /** The questions the README has a slot for. */
  slots: string[];
  /** The slots whose text changed. */
  changed: string[];
  /** The slots edited by hand since dec wrote them: left as they are. */
  edited: string[];
}

/**
 * Fills each slot of a question of this homework from the answers. A slot edited by hand since dec
 * filled it (or one a student added with text in it) is left as it is and reported; slots of unknown
 * ids and all text outside slots stay as they are, byte for byte (line endings included).
 */
export function syncReadmeAnswers(
  readme: string,
  questions: readonly Question[],
  answers: Readonly<Record<string, Answer>>,
): ReadmeSync {
  const crlf = readme.includes('\r\n');
  const slots: string[] = [];
  const changed: string[] = [];
  const edited: string[] = [];
  const text = readme.replace(SLOT, (whole, open: string, id: string, rest: string, body: string, close: string) => {
    const question = questions.find((q) => q.id === id);
    if (!question) return whole;
    slots.push(id);
    const written = /#([0-9a-f]{8})$/.exec(rest)?.[1];
    const ours = written !== undefined ? written === stamp(body) : body.trim() === '';
    if (!ours) {
      edited.push(id);
      return whole;
    }
    const lf = slotBody(question, answers[id]);
    const fresh = crlf ? lf.replace(/\n/g, '\r\n') : lf;
    const marker = openMarker(id, lf);
    if (fresh === body && marker === open) return whole;
    if (fresh !== body) changed.push(id);
    return `${marker}${fresh}${close}`;
  });
  return { text, slots, changed, edited };
}
