// The one place where what happens to a call to the Docker engine becomes dec's errors: no engine
// (DockerUnavailable: socket missing, not running, not Docker at all), and what the engine refuses,
// told in a student's terms when dec knows better (a name taken by a container dec did not make, a port
// some other thing holds, an image with capitals or no command, a volume another container uses), else
// an EngineError with the engine's own message. Pure: the client (client.ts) makes the calls, gathers
// the facts and throws the result.
import { DecError, DockerUnavailable, EngineError, ExitCode } from '../errors.js';
import type { DockerEndpoint } from './client.js';

/** What dec asked the engine to do, with what the message needs to name. */
export type EngineOperation =
  | { kind: 'create-container'; name: string; image: string; service?: string; stack?: string }
  | {
      kind: 'start-container';
      name: string;
      state?: string;
      service?: string;
      stack?: string;
      /** The container's first published host port, for the --port suggestion. */
      hostPort?: number;
    }
  | { kind: 'remove-volume'; name: string; users: string[] }
  | { kind: 'image'; ref: string }
  | { kind: 'network'; name: string };

/** Labels that mark a container as dec's (kept here, not imported, so this module stays leaf-pure). */
const DEC_STACK_LABEL = 'dec.stack';

export function hasDecLabels(labels: Record<string, string> | undefined): boolean {
  return labels?.[DEC_STACK_LABEL] !== undefined;
}

// Docker's reference grammar (distribution/reference): lowercase path components separated by "/",
// an optional registry host first, an optional :tag (capitals allowed there) and @digest.
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\\d+)?';
const REFERENCE = new RegExp(
  `^(?:${DOMAIN}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$`,
);

/** Splits "host:5000/name:tag@digest" into the registry host (if any), the repository path and the rest. */
function splitReference(ref: string): { domain?: string; path: string; rest: string } {
  const at = ref.indexOf('@');
  const withoutDigest = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? '' : ref.slice(at);
  const slash = withoutDigest.indexOf('/');
  const first = slash < 0 ? '' : withoutDigest.slice(0, slash);
  const hasDomain = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const domain = hasDomain ? first : undefined;
  const remainder = hasDomain ? withoutDigest.slice(slash + 1) : withoutDigest;
  const colon = remainder.lastIndexOf(':');
  const path = colon < 0 ? remainder : remainder.slice(0, colon);
  const tag = colon < 0 ? '' : remainder.slice(colon);
  return { domain, path, rest: `${tag}${digest}` };
}

/** Why `ref` is not an image reference Docker accepts, with the fix; undefined when it is one. */
export function imageReferenceProblem(ref: string): DecError | undefined {
  if (REFERENCE.test(ref)) return undefined;
  const { domain, path, rest } = splitReference(ref);
  if (path !== path.toLowerCase()) {
    const fixed = `${domain ? `${domain}/` : ''}${path.toLowerCase()}${rest}`;
    if (REFERENCE.test(fixed)) {
      return new DecError(`"${ref}" is not a valid image reference: image names must be lowercase.`, {
        hint: `Use ${fixed} (only a tag, after the ":", may have capitals), e.g. --image <service>=${fixed}.`,
      });
    }
  }
  return new DecError(`"${ref}" is not a valid image reference.`, {
    hint: 'An image reference looks like postgres:13, dpage/pgadmin4:8.14 or registry.example.com:5000/team/image:tag (lowercase names).',
  });
}

/** The host port in "Bind for 0.0.0.0:5432 failed: port is already allocated" or a proxy's "bind: address already in use". */
export function portFromEngineMessage(message: string): number | undefined {
  const match =
    /:(\d+) failed: port is already allocated/.exec(message) ??
    /listen tcp[46]? [^\s]*:(\d+): bind: address already in use/.exec(message) ??
    /[:\s](\d{2,5})\b[^\n]*address already in use/.exec(message);
  return match ? Number(match[1]) : undefined;
}

function dependsOnPort(message: string): boolean {
  return /port is already allocated|address already in use/i.test(message);
}

/**
 * The engine's refusal, told as a DecError with what to do; undefined when dec has nothing better to say
 * than the engine's own message (main.ts reports those).
 */
export function explainEngineError(
  operation: EngineOperation,
  status: number,
  message: string,
  facts: { conflictIsDecs?: boolean } = {},
): DecError | undefined {
  if (/invalid reference format/i.test(message)) {
    const ref =
      operation.kind === 'image' ? operation.ref : operation.kind === 'create-container' ? operation.image : '';
    const problem = ref ? imageReferenceProblem(ref) : undefined;
    if (problem) return problem;
  }
  switch (operation.kind) {
    case 'create-container': {
      const { name, image } = operation;
      if (status === 409 && /already in use/i.test(message)) {
        if (facts.conflictIsDecs) {
          return new DecError(`A container named ${name} already exists (another dec run may have made it just now).`, {
            hint: 'Run the same command again: dec picks up what exists.',
          });
        }
        return new DecError(
          `A container named ${name} already exists, and dec did not make it (it has no dec labels).`,
          {
            hint: `dec never removes what it did not make: rename it (docker rename ${name} ${name}-old) or remove it yourself (docker rm -f ${name}), then run again.`,
          },
        );
      }
      if (/no command specified/i.test(message)) {
        return new DecError(
          `The image ${image} has no command to run (no CMD or ENTRYPOINT), so ${name} cannot be made.`,
          {
            hint: `An image made with \`docker import\` needs one (docker import --change 'CMD ["..."]' ...); or use another image: --image ${operation.service ?? '<service>'}=<image>.`,
          },
        );
      }
      if (status === 404 && /no such image/i.test(message)) {
        return new DecError(`The image ${image} is not on this machine, so ${name} cannot be made.`, {
          hint: `Pull or load it (docker pull ${image}, docker load), or use another image: --image ${operation.service ?? '<service>'}=<image>.`,
        });
      }
      return undefined;
    }
    case 'start-container': {
      const { name, stack, service } = operation;
      const down = stack ? ` (or stop the stack, data kept: dec setup ${stack} --down)` : '';
      if (operation.state === 'paused' || /paused container|unpause/i.test(message)) {
        return new DecError(`${name} is paused (docker pause), so it cannot be started; it still holds its ports.`, {
          hint: `Unpause it: docker unpause ${name}${down}.`,
        });
      }
      if (dependsOnPort(message)) {
        const port = portFromEngineMessage(message) ?? operation.hostPort;
        const where = port === undefined ? 'a host port it publishes' : `host port ${port}`;
        const elsewhere =
          stack && service && port !== undefined
            ? `, or publish ${service} elsewhere: dec setup ${stack} --port ${service}=${port + 1}`
            : '';
        return new DecError(`${name} cannot start: ${where} is already taken on this machine.`, {
          hint: `See who holds it with \`dec doctor\` and stop that${elsewhere}. A docker-proxy no container owns is the engine's leftover: restart the engine (sudo systemctl restart docker).`,
        });
      }
      if (/network [0-9a-f]+ not found|network .* not found/i.test(message)) {
        return new DecError(`${name} cannot start: its Docker network was removed (docker network rm or prune).`, {
          hint: stack
            ? `Run dec setup ${stack} again: it recreates the network and reconnects the containers.`
            : undefined,
        });
      }
      return undefined;
    }
    case 'remove-volume': {
      if (status === 409 || /volume is in use/i.test(message)) {
        const users =
          operation.users.length > 0
            ? `: ${operation.users.join(', ')} use${operation.users.length === 1 ? 's' : ''} it`
            : ': a container uses it';
        return new DecError(`Cannot delete the volume ${operation.name}${users}.`, {
          hint: 'Remove those containers first (dec never removes what it did not make), then run again.',
        });
      }
      return undefined;
    }
    case 'image':
    case 'network':
      return undefined;
  }
}

/** An interruption (Ctrl-C) of a call to the engine. */
export function interrupted(): DecError {
  return new DecError('Interrupted.', { exitCode: ExitCode.interrupted });
}

/** The HTTP status of an engine's answer to a failed dockerode call (undefined when none came). */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | undefined)?.statusCode;
}

/** The engine's own message: dockerode keeps the JSON body's message apart. */
export function engineMessage(error: unknown): string {
  const json = (error as { json?: { message?: string } }).json;
  if (json?.message) return json.message;
  return error instanceof Error ? error.message : String(error);
}

/** A call that got no answer from an engine (or a broken one), told as what is wrong with the endpoint. */
export function classifyDockerError(error: unknown, endpoint: DockerEndpoint): DockerUnavailable {
  if (error instanceof DockerUnavailable) return error;
  const code = typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  const where = endpoint.url;
  if (code === 'ENOENT')
    return new DockerUnavailable('socket-missing', endpoint, `there is no Docker socket at ${where}`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new DockerUnavailable('permission-denied', endpoint, `permission denied on ${where}`);
  }
  if (code === 'ECONNREFUSED')
    return new DockerUnavailable('not-running', endpoint, `nothing answers at ${where}: the engine is not running`);
  if (code?.startsWith('HPE_') || /parse error/i.test(message)) return notDocker(endpoint, 'it does not speak HTTP');
  if (/timed? ?out/i.test(message) || code === 'ETIMEDOUT') {
    return new DockerUnavailable('no-answer', endpoint, `the engine at ${where} answers nothing`);
  }
  return new DockerUnavailable('unknown', endpoint, `the engine at ${where} failed: ${message}`);
}

/** Something answered at the endpoint, but it is not the Docker API; the message names what to fix. */
export function notDocker(endpoint: DockerEndpoint, why: string): DockerUnavailable {
  const fix =
    endpoint.source === 'DOCKER_HOST'
      ? 'set DOCKER_HOST to your engine (unix:///var/run/docker.sock, tcp://host:2375) or unset it'
      : endpoint.context
        ? `fix the docker context "${endpoint.context}" or switch back: docker context use default`
        : 'something else listens on the Docker socket';
  return new DockerUnavailable(
    'not-docker',
    endpoint,
    `${endpoint.url} (from ${endpoint.source}) is not a Docker engine (${why}); ${fix}`,
  );
}

/** A short, one-line taste of what answered: an HTML page's title, else its first characters. */
export function excerptOf(body: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  if (title) return `a page titled "${title.replace(/\s+/g, ' ').slice(0, 60)}"`;
  const text = body.replace(/\s+/g, ' ').trim();
  return `"${text.length > 60 ? `${text.slice(0, 60)}…` : text}"`;
}

/**
 * The engine sends every error as JSON ({"message": ...}); an error status whose body is something else
 * (a web server's HTML page) came from something that is not Docker. Its page is not shown whole.
 */
function answeredByOther(error: unknown, endpoint: DockerEndpoint): DockerUnavailable | undefined {
  const { statusCode, json } = error as { statusCode?: number; json?: unknown };
  // docker-modem keeps a body that is not JSON as it came (a Buffer).
  const body = Buffer.isBuffer(json) ? json.toString('utf8') : typeof json === 'string' ? json : '';
  if (statusCode === undefined || body.trim() === '') return undefined;
  return notDocker(endpoint, `it answered HTTP ${statusCode}: ${excerptOf(body)}`);
}

/**
 * What a failed call becomes: dec's own errors pass through; something that is not the engine, or no
 * answer, is a DockerUnavailable; a refusal is told by `explain` (a DecError) when it knows it, else it
 * is an EngineError with the engine's message.
 */
export async function engineFailure(
  error: unknown,
  endpoint: DockerEndpoint,
  explain?: (status: number, message: string) => Promise<DecError | undefined>,
): Promise<Error> {
  if (error instanceof DecError) return error;
  const other = answeredByOther(error, endpoint);
  if (other) return other;
  const status = statusOf(error);
  if (status !== undefined) {
    const message = engineMessage(error);
    const told = explain ? await explain(status, message).catch(() => undefined) : undefined;
    return told ?? new EngineError(status, message);
  }
  return classifyDockerError(error, endpoint);
}
