/**
 * Default Reason-Phrases, RFC 3261 §21 plus the codes registered later that an IMS core uses
 * (RFC 3265 489, RFC 3329 494, RFC 4412 417, RFC 5360 470, RFC 3903 412, RFC 4028 422, RFC 5393 ...).
 *
 * RFC 3261 §7.2: "The Reason-Phrase is intended to give a short textual description of the
 * Status-Code ... A client is not required to examine or display the Reason-Phrase."
 */
const PHRASES: Readonly<Record<number, string>> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK',
  202: 'Accepted',
  204: 'No Notification',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  410: 'Gone',
  412: 'Conditional Request Failed',
  413: 'Request Entity Too Large',
  414: 'Request-URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority',
  420: 'Bad Extension',
  421: 'Extension Required',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  429: 'Provide Referrer Identity',
  433: 'Anonymity Disallowed',
  470: 'Consent Needed',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  484: 'Address Incomplete',
  485: 'Ambiguous',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  489: 'Bad Event',
  491: 'Request Pending',
  493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  513: 'Message Too Large',
  580: 'Precondition Failure',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

/** The standard Reason-Phrase for `status`, or a class-generic one for unregistered codes. */
export function reasonPhrase(status: number): string {
  const known = PHRASES[status];
  if (known) return known;
  switch (Math.floor(status / 100)) {
    case 1:
      return 'Provisional';
    case 2:
      return 'Successful';
    case 3:
      return 'Redirection';
    case 4:
      return 'Request Failure';
    case 5:
      return 'Server Failure';
    case 6:
      return 'Global Failure';
    default:
      return 'Unknown';
  }
}
