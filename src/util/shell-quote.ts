/**
 * Quoting for the one place a command string must reach a shell: a command
 * run on a remote host over SSH, which its sshd hands to the user's shell.
 * Every value goes in single quotes, so nothing in it is interpreted.
 */

/** One argument as a POSIX shell reads it back unchanged. */
export function shellQuote(value: string | number): string {
  const text = String(value);
  if (text.includes("\0")) throw new Error("a shell argument cannot hold a NUL byte");
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A command line of quoted arguments. */
export function shellCommand(argv: readonly (string | number)[]): string {
  return argv.map(shellQuote).join(" ");
}
