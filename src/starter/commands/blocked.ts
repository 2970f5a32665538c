import type { Command } from 'commander';
import type { Register } from './vitrines';

/** Blocked orders: list, show, retry. */
export function registerBlockedCommands(_program: Command, _register: Register): void {}
