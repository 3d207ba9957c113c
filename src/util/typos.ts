// Words a student typed that commander would only call "too many arguments": a misspelt subcommand
// (`dec weeks shwo 3`, which commander hands to the default `list`) or an option written without its
// dashes (`dec doctor week 2`). Checked before a command's action runs, with the nearest real word.
import type { Command } from 'commander';
import { DecError } from '../errors.js';
import { nearest } from './nearest.js';

/** `dec weeks show`: the words a student types to reach this command. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

function subcommandNames(command: Command): string[] {
  return command.commands.map((c) => c.name()).filter((name) => name !== 'help');
}

/** The words after what `command` takes: none when it takes a variadic argument. */
function excessWords(command: Command): string[] {
  const declared = command.registeredArguments;
  if (declared.at(-1)?.variadic) return [];
  return command.args.slice(declared.length);
}

/** The command its group runs when no subcommand is named (`dec weeks` runs `list`). */
function isDefaultOf(command: Command): boolean {
  // Commander keeps this private, but it has had this name since `isDefault` came (v5).
  const parent = command.parent as (Command & { _defaultCommandName?: string }) | null;
  return parent !== null && parent.parent !== null && parent._defaultCommandName === command.name();
}

/**
 * Throws a DecError for words `command` cannot take: as a misspelt sibling or subcommand (with the
 * corrected command line), as an option without its dashes, or else as one word too many.
 */
function checkExcessWords(command: Command): void {
  const extra = excessWords(command);
  if (extra.length === 0) return;
  const help = `${commandPath(command)} --help`;
  const typed = command.args;
  // `dec weeks shwo 3` runs the group's default command (list) with the words; `dec progress dne 1`
  // runs the group's own action. Either way the first word was meant as a subcommand.
  const group = command.commands.length > 0 ? command : isDefaultOf(command) ? command.parent : null;
  // `dec setup stauts week1`: the group's own argument took the first word, the rest is too much; an
  // error either way, so a first word near a subcommand is told as that subcommand.
  const names = group ? subcommandNames(group) : [];
  const asSubcommand = group === command && extra[0] !== typed[0] && nearest(typed[0]!, names) !== undefined;
  if (group && (extra[0] === typed[0] || asSubcommand)) {
    const word = typed[0]!;
    const meant = nearest(word, names);
    const groupPath = commandPath(group);
    throw new DecError(`${groupPath} has no command "${word}"${meant ? `; did you mean ${meant}?` : '.'}`, {
      details: [`Its commands: ${names.join(', ')}.`],
      hint: meant
        ? `Run: ${groupPath} ${[meant, ...typed.slice(1)].join(' ')}`
        : `${groupPath} --help lists them with examples.`,
    });
  }
  // `dec doctor week 2`: an option's name without its dashes.
  const word = extra[0]!;
  const longNames = command.options.flatMap((o) => (o.long ? [o.long.replace(/^--/, '')] : []));
  const option = longNames.find((name) => name === word.toLowerCase()) ?? nearest(word, longNames);
  const path = commandPath(command);
  if (option) {
    const value = extra[1];
    const flag = command.options.find((o) => o.long === `--${option}`);
    const takesValue = flag !== undefined && (flag.required || flag.optional);
    const written = takesValue && value !== undefined ? `--${option} ${value}` : `--${option}`;
    const used = takesValue && value !== undefined ? 2 : 1;
    const others = [...typed.slice(0, typed.length - extra.length), ...extra.slice(used)];
    throw new DecError(`${path} takes no word "${word}"; did you mean the option ${written}?`, {
      hint: `Run: ${[path, ...others, written].join(' ')}   (${help} lists its options)`,
    });
  }
  throw new DecError(`${path} takes ${describeArguments(command)}, and "${extra.join(' ')}" is more than that.`, {
    hint: `${help} shows what it takes, with examples.`,
  });
}

function describeArguments(command: Command): string {
  const declared = command.registeredArguments;
  if (declared.length === 0) return 'no arguments';
  return declared.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`)).join(' ');
}

/**
 * Every command of `program` (as built) checks its own extra words, and its usage errors point at its
 * own help rather than dec's.
 */
export function guardTypos(program: Command): void {
  const visit = (command: Command) => {
    if (command !== program) {
      command.allowExcessArguments();
      command.showHelpAfterError(`(${commandPath(command)} --help shows what it takes, with examples)`);
    }
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  program.hook('preAction', (_program, action) => checkExcessWords(action));
}
