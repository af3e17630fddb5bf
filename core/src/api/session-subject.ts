/**
 * The name of a browser session signed in without one (the one-time link `npm start` prints
 * cannot carry a name): the backplane issues it, the dashboard asks for a real name when it sees it.
 */
export const UNNAMED_SUBJECT = 'analyst';
