/* hw-emby-protocol.h: the Emby contract (docs/emby-api.md) as pure functions.
 *
 * URL building, the X-Emby-Authorization header, stream URLs, request
 * bodies, and (hw-emby-replies.h) the parsing of the replies a wall needs
 * into plain structs. No I/O, no main loop: the client
 * (hw-emby-client.c) does the talking, the feed decides what to ask, and
 * every variation the contract lists is covered by unit tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-emby-replies.h"
#include "hw-server-product.h"

G_BEGIN_DECLS

#define HW_EMBY_ERROR (hw_emby_error_quark ())

typedef enum {
  HW_EMBY_ERROR_INVALID_URL,       /* the configured server URL cannot be used */
  HW_EMBY_ERROR_MALFORMED,         /* a reply that is not JSON */
  HW_EMBY_ERROR_HTML,              /* an HTML page (a proxy's error page) instead of JSON */
  HW_EMBY_ERROR_MISSING_FIELD,
  HW_EMBY_ERROR_WRONG_TYPE,
  HW_EMBY_ERROR_TRANSIENT,         /* transport error, timeout, 5xx, 429: try again later */
  HW_EMBY_ERROR_OFFLINE,           /* the server gate is closed: nothing was sent */
  HW_EMBY_ERROR_SIGN_IN_REQUIRED,  /* no credentials, or they were refused */
  HW_EMBY_ERROR_FORBIDDEN,         /* 403 and other fatal answers for this request */
  HW_EMBY_ERROR_NOT_FOUND,         /* 404 or an ErrorCode on an item: skip it */
} HwEmbyError;

GQuark hw_emby_error_quark (void);

#define HW_EMBY_TICKS_PER_SECOND 10000000.0

/* ------------------------------------------------------------------ */
/* URLs                                                                */

/* "http[s]://host[:port][/prefix]" → the API base without a trailing slash,
 * "/emby" appended unless the path already ends in /emby or /mediabrowser
 * (any case). A bare "host[:port][/prefix]" means http and, without a
 * port, Emby's 8096. An explicit scheme is taken literally: its standard
 * port stays implicit (a reverse proxy). Query, fragment and user info are
 * dropped. NULL with HW_EMBY_ERROR_INVALID_URL for anything else. */
char  *hw_emby_normalize_base_url   (const char  *url,
                                     GError     **error);

/* @base + @path (which starts with "/", its ids already escaped, maybe
 * with a query of its own that is continued) and a query from
 * NULL-terminated key/value pairs; a pair with a NULL value is left out,
 * values are percent-encoded. */
char  *hw_emby_build_url            (const char  *base,
                                     const char  *path,
                                     const char  *first_key,
                                     ...) G_GNUC_NULL_TERMINATED;

/* TranscodingUrl / DirectStreamUrl are server-relative, without the /emby
 * prefix, maybe without the leading slash. An absolute URL keeps only its
 * path and query (never connect to an address the server advertises).
 * A path that repeats the base's last segment ("/emby/…") is not doubled. */
char  *hw_emby_resolve_server_url   (const char  *base,
                                     const char  *relative);

/* Sets api_key=@token, replacing any api_key the URL carries (mpv cannot
 * send headers per stream, so stream URLs carry the token, and one minted
 * with an older token must not keep it). @token NULL: @url unchanged. */
char  *hw_emby_url_with_api_key     (const char  *url,
                                     const char  *token);
/* Sets the token under the key @product reads in a URL: api_key for
 * Emby, ApiKey for Jellyfin (which since 12.0 refuses api_key). Either
 * key the URL carries is replaced. @token NULL: @url unchanged. */
char  *hw_emby_url_with_token       (const char      *url,
                                     const char      *token,
                                     HwServerProduct  product);
/* @url without any api_key= or ApiKey= in its query: for requests the
 * client authenticates with headers, so that a token from an older
 * sign-in in a path never rides along. */
char  *hw_emby_url_without_api_key  (const char  *url);

/* TRUE when @url carries @token, percent-encoded as hw_emby_build_url ()
 * puts it: a stream URL minted before a new sign-in would fail with a 401
 * in mpv. FALSE for a NULL @token. */
gboolean     hw_emby_url_carries_token (const char *url,
                                        const char *token);
/* The part of @url after @base ("/Videos/…"), or NULL when @url is not
 * under @base. */
const char  *hw_emby_url_path_under_base (const char *base,
                                          const char *url);

/* MediaBrowser Client="Hyperwall", Device="…", DeviceId="…", Version="…"
 * [, Token="…"]. Quotes and control characters inside values are replaced
 * so the header always parses. */
char  *hw_emby_authorization_header (const char  *device,
                                     const char  *device_id,
                                     const char  *version,
                                     const char  *token);

/* ------------------------------------------------------------------ */
/* Ticks: 10,000,000 per second                                        */

/* Truncated; negative and NaN give 0. */
gint64       hw_emby_seconds_to_ticks  (double      seconds);
double       hw_emby_ticks_to_seconds  (gint64      ticks);

/* ------------------------------------------------------------------ */
/* Playing an item                                                     */

/* Everything a stream URL is made of besides the media source. */
typedef struct {
  const char *base_url;          /* from hw_emby_normalize_base_url () */
  const char *item_id;
  const char *play_session_id;   /* NULL: left out */
  const char *device_id;
  const char *token;             /* NULL: no api_key */
  HwServerProduct product;       /* the key the token rides under, the query's spelling */
} HwEmbyStreamContext;

/* The first source the server will send as it is, else the first. @info
 * has at least one (hw_emby_parse_playback_info () sees to it). */
const HwEmbyMediaSource *hw_emby_pick_media_source (const HwEmbyPlaybackInfo *info);

/* "Series — Episode" for an episode, else the name. */
char        *hw_emby_item_title        (const HwEmbyItem          *item);
/* In seconds, from the media source's RunTimeTicks (the item's only when
 * the source has none); 0 when unknown. */
double       hw_emby_item_duration     (const HwEmbyItem          *item,
                                        const HwEmbyMediaSource   *source);

/* The source's DirectStreamUrl, resolved, or
 * /Videos/{Id}/stream?Static=true&MediaSourceId=&PlaySessionId=&DeviceId=&api_key=.
 * The token rides in api_key: mpv cannot send headers per stream. */
char        *hw_emby_direct_stream_url (const HwEmbyStreamContext *stream,
                                        const HwEmbyMediaSource   *source);
/* The source's TranscodingUrl, resolved, or an H.264/AAC HLS
 * /Videos/{Id}/master.m3u8; NULL when the source cannot be transcoded. */
char        *hw_emby_transcode_url     (const HwEmbyStreamContext *stream,
                                        const HwEmbyMediaSource   *source);
/* What a cell plays first (@direct, never NULL) and falls back to
 * (@fallback, NULL for none): the direct stream with the transcode behind
 * it, or, for a source that cannot be sent as it is (no direct support,
 * a .strm, a remote URL), the transcode alone. */
void         hw_emby_stream_urls       (const HwEmbyStreamContext *stream,
                                        const HwEmbyMediaSource   *source,
                                        char                     **direct,
                                        char                     **fallback);

/* ------------------------------------------------------------------ */
/* Request bodies and paths                                            */

/* {"Username":…,"Pw":…} for /Users/AuthenticateByName. Holds the
 * password: the caller wipes it. */
char        *hw_emby_sign_in_body      (const char *username,
                                        const char *password);

typedef enum {
  HW_EMBY_REPORT_STARTED,
  HW_EMBY_REPORT_PROGRESS,
  HW_EMBY_REPORT_STOPPED,
} HwEmbyReport;

/* /Sessions/Playing, …/Progress or …/Stopped. */
const char  *hw_emby_report_path       (HwEmbyReport report);
/* How a cell plays an item, as Emby's PlayMethod names it. */
typedef enum
{
  HW_EMBY_PLAY_DIRECT_PLAY,
  HW_EMBY_PLAY_DIRECT_STREAM,
  HW_EMBY_PLAY_TRANSCODE,
} HwEmbyPlayMethod;

/* The PlayMethod of a cell playing @source through the URLs
 * hw_emby_stream_urls () made: the transcode when @fallback plays or when
 * the direct URL is a transcode itself; a static stream of a source the
 * server sends as it is "DirectPlay"; a server-given DirectStreamUrl, or a
 * source that only allows direct streaming, "DirectStream". */
HwEmbyPlayMethod hw_emby_play_method (const HwEmbyMediaSource *source, gboolean fallback);
const char      *hw_emby_play_method_name (HwEmbyPlayMethod method);

/* What a playback report says. */
typedef struct
{
  const char      *item_id;
  const char      *media_source_id; /* NULL: null */
  const char      *play_session_id; /* NULL: null */
  double           position;        /* seconds; before the start: 0 */
  gboolean         paused;
  gboolean         muted;
  HwEmbyPlayMethod play_method;
  const char      *event_name;  /* "TimeUpdate", "Pause", …; NULL: left out */
  const char      *repeat_mode; /* "RepeatNone", "RepeatOne"; NULL: left out */
  gboolean         stopped;     /* for /Sessions/Playing/Stopped */
  HwServerProduct  product;
} HwEmbyPlayState;

/* The body of a playback report: ItemId, MediaSourceId, PlaySessionId,
 * PositionTicks, and, unless @stopped (PlaybackStopInfo has none of them),
 * CanSeek, IsPaused, IsMuted, PlayMethod, RepeatMode when given, and
 * EventName when given and the server is Emby (Jellyfin's
 * PlaybackProgressInfo has no EventName). */
char *hw_emby_report_body_state (const HwEmbyPlayState *state);
/* The same for a muted, unpaused direct stream without an event. */
char *hw_emby_report_body (const char *item_id, const char *media_source_id,
                           const char *play_session_id, double position);
/* DELETE this after an item that played through a transcode, or ffmpeg
 * keeps running on the server (a direct play has nothing to stop).
 * Relative to the API base. */
char        *hw_emby_stop_transcode_path (const char *device_id,
                                          const char *play_session_id);

G_END_DECLS
