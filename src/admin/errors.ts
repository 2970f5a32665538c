/**
 * A problem with what an admin asked for, or with the state of things, that the admin can fix:
 * one line, shown as it is (the CLI exits with code 2, the backoffice answers 400).
 */
export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminInputError';
  }
}
