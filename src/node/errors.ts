/** Typed errors of the node layer: bad command-line flags and configuration. */

/** A flag or configuration value that cannot be used; the CLI prints it and exits with code 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'
  constructor(
    /** The flag at fault, e.g. `--port`. */
    readonly flag: string,
    reason: string,
  ) {
    super(`${flag}: ${reason}`)
  }
}
