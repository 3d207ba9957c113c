// Images that exist for one architecture only (the syllabus's `platforms` on a service): the 2022
// course's Confluent 5.4.0 images and its Airflow image, which installs the Cloud SDK's x86_64 tarball.
// On a machine of another architecture (Apple Silicon) they run under emulation; `dec setup` warns
// before pulling, and `dec doctor` says it for the weeks concerned. Pure: the host's architecture is
// given (setup's deps, the doctor's platform facts).
import type { Stack } from '../syllabus/schema.js';

/** Docker's name for a Node.js architecture (process.arch): x64 is amd64. */
export function dockerArch(nodeArch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm' } as Record<string, string>)[nodeArch] ?? nodeArch;
}

export interface ForeignImages {
  /** The images (deduplicated, in service order) that have no build for this architecture. */
  images: string[];
  /** The platforms they are built for, e.g. ["linux/amd64"]. */
  platforms: string[];
}

/** The stack's images declared for other architectures only; undefined when every image runs natively. */
export function foreignImages(stack: Pick<Stack, 'services'>, nodeArch: string): ForeignImages | undefined {
  const arch = dockerArch(nodeArch);
  const images: string[] = [];
  const platforms: string[] = [];
  for (const service of Object.values(stack.services)) {
    const declared = service.platforms;
    if (declared === undefined || declared.some((platform) => platform.split('/')[1] === arch)) continue;
    if (!images.includes(service.image)) images.push(service.image);
    for (const platform of declared) if (!platforms.includes(platform)) platforms.push(platform);
  }
  return images.length > 0 ? { images, platforms } : undefined;
}

/** How to turn on amd64 emulation: Docker Desktop's Rosetta setting on a Mac, QEMU's binfmt elsewhere. */
export function emulationAdvice(os: 'macos' | 'linux' | 'windows' | 'other'): { text: string; command: string } {
  if (os === 'macos')
    return {
      text: 'On Apple Silicon, turn on Docker Desktop → Settings → General → "Use Rosetta for x86_64/amd64 emulation on Apple Silicon" (faster than QEMU; it needs Rosetta)',
      command: 'softwareupdate --install-rosetta --agree-to-license',
    };
  return {
    text: "Register QEMU's amd64 emulation with the engine (once per boot; Docker Desktop has it already)",
    command: 'docker run --privileged --rm tonistiigi/binfmt --install amd64',
  };
}

/** The warning `dec setup` prints before pulling, or undefined when the stack runs natively here. */
export function emulationWarning(
  stackId: string,
  stack: Pick<Stack, 'services'>,
  nodeArch: string,
  platform: NodeJS.Platform,
): string | undefined {
  const foreign = foreignImages(stack, nodeArch);
  if (!foreign) return undefined;
  const advice = emulationAdvice(platform === 'darwin' ? 'macos' : platform === 'linux' ? 'linux' : 'other');
  return (
    `${stackId}: ${foreign.images.join(', ')} ${foreign.images.length === 1 ? 'is' : 'are'} built for ${foreign.platforms.join(', ')} only; ` +
    `on this ${dockerArch(nodeArch)} machine ${foreign.images.length === 1 ? 'it runs' : 'they run'} under emulation: slower, and the first start takes longer. ` +
    `${advice.text}: ${advice.command}`
  );
}
