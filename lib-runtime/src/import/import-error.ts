/**
 * Bad import input: the message names the file, the resource inside it and the field, so a
 * user can go straight to the line that needs a change.
 */
export class ImportError extends Error {
  public readonly file: string;
  public readonly resource?: string;
  public readonly field?: string;

  constructor(where: { file: string; resource?: string; field?: string }, problem: string) {
    const parts = [where.file, where.resource, where.field].filter((part): part is string => part !== undefined && part !== '');
    super(parts.length === 0 ? problem : `${parts.join(': ')}: ${problem}`);
    this.name = 'ImportError';
    this.file = where.file;
    this.resource = where.resource;
    this.field = where.field;
  }
}
