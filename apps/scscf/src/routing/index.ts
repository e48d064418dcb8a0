export * from './home-route';
export * from './odi-store';
export * from './session-router';
