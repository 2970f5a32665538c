import type { Command } from 'commander';
import type { Register } from './vitrines';

/** DE-PARA tables: payment types and statuses. */
export function registerDeParaCommands(_program: Command, _register: Register): void {}
