// The PyFlink image dec builds for dez-2026 module 7 on amd64 and on arm64 (Apple Silicon), read
// from its Dockerfile (no registry here to build it): on arm64 the venv step installs what pemja's
// source build needs (a JDK's headers and a C compiler), as the course's Dockerfile_ARM64.flink does.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dockerfile = readFileSync(new URL('../../templates/stacks/flink/Dockerfile.flink', import.meta.url), 'utf8');

/** The RUN instruction that syncs the venv, its continuation lines joined. */
function syncStep(): string {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  return joined.split('\n').find((line) => line.startsWith('RUN') && line.includes('uv sync')) ?? '';
}

describe('Dockerfile.flink on both architectures', () => {
  it('one multi-arch base, the same for both (no --platform pinned)', () => {
    expect(dockerfile).toMatch(/^FROM flink:2\.2\.0-scala_2\.12-java17$/m);
    expect(dockerfile).not.toMatch(/--platform/);
  });

  it('arm64: a JDK and build tools before the sync, JAVA_HOME at that JDK for it; amd64: the sync alone', () => {
    const step = syncStep();
    expect(step).toContain('if [ "$(dpkg --print-architecture)" = "arm64" ]');
    expect(step).toContain('apt-get install -y --no-install-recommends openjdk-17-jdk-headless build-essential');
    expect(step).toContain('JAVA_HOME=/usr/lib/jvm/java-17-openjdk-arm64 uv sync --python 3.12');
    expect(step).toMatch(/else\s+uv sync --python 3\.12;\s+fi$/);
    // The image's JRE stays Flink's: no global JAVA_HOME change.
    expect(dockerfile).not.toMatch(/^ENV JAVA_HOME/m);
  });
});
