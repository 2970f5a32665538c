import type { Command } from 'commander';
import type { Register } from './vitrines';

/** Vitrine order settings: default fields, order code prefix, customer identity, integration log. */
export function registerSettingsCommands(_program: Command, _register: Register): void {}
