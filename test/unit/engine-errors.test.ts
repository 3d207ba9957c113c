// The engine's refusals, told in a student's terms: the real messages of Docker 20.10 to 28.
import { describe, expect, it } from 'vitest';
import { explainEngineError, imageReferenceProblem, portFromEngineMessage } from '../../src/docker/engine-errors.js';
import { ExitCode } from '../../src/errors.js';

describe('imageReferenceProblem', () => {
  it('accepts what Docker accepts', () => {
    for (const ref of [
      'postgres',
      'postgres:13',
      'dpage/pgadmin4:8.14',
      'confluentinc/cp-kafka:7.2.0',
      'dec-test/postgres:15',
      'localhost:5000/team/image:Tag_1',
      'Registry.Example.com:5000/team/image:v1',
      `postgres@sha256:${'a'.repeat(64)}`,
      'a__b/c-d.e:latest',
    ]) {
      expect(imageReferenceProblem(ref), ref).toBeUndefined();
    }
  });

  it('refuses capitals in the name with the lowercase rule and the fixed reference, exit 2', () => {
    const problem = imageReferenceProblem('Postgres:13');
    expect(problem?.message).toBe('"Postgres:13" is not a valid image reference: image names must be lowercase.');
    expect(problem?.hint).toContain('Use postgres:13');
    expect(problem?.exitCode).toBe(ExitCode.couldNotRun);
    expect(imageReferenceProblem('localhost:5000/Team/Image:Tag')?.hint).toContain('localhost:5000/team/image:Tag');
  });

  it('refuses other malformed references with what one looks like', () => {
    for (const ref of ['postgres:', ':13', 'post gres', 'a//b', '-x']) {
      expect(imageReferenceProblem(ref)?.message, ref).toBe(`"${ref}" is not a valid image reference.`);
    }
  });
});

describe('portFromEngineMessage', () => {
  it('reads the port from the allocator and from the userland proxy', () => {
    expect(
      portFromEngineMessage(
        'driver failed programming external connectivity on endpoint dec-week1-pgdatabase (0123): Bind for 127.0.0.1:5432 failed: port is already allocated',
      ),
    ).toBe(5432);
    expect(
      portFromEngineMessage(
        'driver failed programming external connectivity on endpoint x (y): Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use',
      ),
    ).toBe(8080);
    expect(portFromEngineMessage('something else')).toBeUndefined();
  });
});

describe('explainEngineError', () => {
  const create = {
    kind: 'create-container',
    name: 'dec-week1-pgdatabase',
    image: 'x:1',
    service: 'pgdatabase',
    stack: 'week1',
  } as const;

  it('a name taken by a container dec did not make: how to rename it, never removed', () => {
    const error = explainEngineError(
      create,
      409,
      'Conflict. The container name "/dec-week1-pgdatabase" is already in use by container "abc". You have to remove (or rename) that container to be able to reuse that name.',
    );
    expect(error?.message).toContain('already exists, and dec did not make it');
    expect(error?.hint).toContain('docker rename dec-week1-pgdatabase dec-week1-pgdatabase-old');
  });

  it("a name taken by dec's own container (a concurrent run): run again", () => {
    const error = explainEngineError(create, 409, 'Conflict. The container name is already in use', {
      conflictIsDecs: true,
    });
    expect(error?.hint).toContain('Run the same command again');
  });

  it('an image with no command', () => {
    const error = explainEngineError(create, 400, 'No command specified');
    expect(error?.message).toBe(
      'The image x:1 has no command to run (no CMD or ENTRYPOINT), so dec-week1-pgdatabase cannot be made.',
    );
    expect(error?.hint).toContain('--image pgdatabase=');
  });

  it('a port taken at start names the port and the --port way out', () => {
    const error = explainEngineError(
      { kind: 'start-container', name: 'dec-week1-pgdatabase', stack: 'week1', service: 'pgdatabase', hostPort: 5432 },
      500,
      'driver failed programming external connectivity on endpoint dec-week1-pgdatabase (0123): Bind for 127.0.0.1:5432 failed: port is already allocated',
    );
    expect(error?.message).toBe('dec-week1-pgdatabase cannot start: host port 5432 is already taken on this machine.');
    expect(error?.hint).toContain('dec setup week1 --port pgdatabase=5433');
    expect(error?.hint).toContain('restart the engine');
  });

  it('a paused container: unpause it', () => {
    const error = explainEngineError(
      { kind: 'start-container', name: 'dec-week1-pgdatabase', stack: 'week1', state: 'paused' },
      409,
      'cannot start a paused container, try unpause instead',
    );
    expect(error?.hint).toBe(
      'Unpause it: docker unpause dec-week1-pgdatabase (or stop the stack, data kept: dec setup week1 --down).',
    );
    expect(error?.hint).not.toContain('kill');
  });

  it('a volume in use names its users', () => {
    const error = explainEngineError(
      { kind: 'remove-volume', name: 'dec-week1-data', users: ['other'] },
      409,
      'remove dec-week1-data: volume is in use - [abc]',
    );
    expect(error?.message).toBe('Cannot delete the volume dec-week1-data: other uses it.');
  });

  it('an invalid reference from the engine gets the same rule as the up-front check', () => {
    const error = explainEngineError(
      { kind: 'image', ref: 'Postgres:13' },
      400,
      'invalid reference format: repository name must be lowercase',
    );
    expect(error?.message).toContain('image names must be lowercase');
  });

  it('leaves what it does not know to the caller', () => {
    expect(explainEngineError(create, 500, 'something new')).toBeUndefined();
  });
});
