/* hw-emby-protocol.h: the Emby contract (docs/emby-api.md) as pure functions.
 *
 * URL building, the X-Emby-Authorization header and the parsing of the
 * replies a wall needs into plain structs. No I/O, no main loop: the
 * client (hw-emby-client.c) does the talking, this file does the reading,
 * so every variation the contract lists is covered by unit tests.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

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

/* @base + @path (which starts with "/", its ids already escaped) and a
 * query from NULL-terminated key/value pairs; a pair with a NULL value is
 * left out, values are percent-encoded. */
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

/* Appends api_key=@token unless the URL already carries one (mpv cannot
 * send headers per stream, so stream URLs carry the token). */
char  *hw_emby_url_with_api_key     (const char  *url,
                                     const char  *token);

/* MediaBrowser Client="Hyperwall", Device="…", DeviceId="…", Version="…"
 * [, Token="…"]. Quotes and control characters inside values are replaced
 * so the header always parses. */
char  *hw_emby_authorization_header (const char  *device,
                                     const char  *device_id,
                                     const char  *version,
                                     const char  *token);

/* ------------------------------------------------------------------ */
/* Replies                                                             */

typedef struct {
  char *access_token;
  char *user_id;
  char *user_name;
  char *server_id;
} HwEmbyAuth;

typedef struct {
  char *id;
  char *name;
  char *collection_type;          /* NULL when unset */
} HwEmbyView;

typedef struct {
  char    *id;
  char    *name;
  char    *type;                  /* "Movie", "Episode", "Video", … */
  char    *series_name;
  gboolean is_folder;
  gint64   run_time_ticks;        /* 0 when unknown */
} HwEmbyItem;

typedef struct {
  char    *id;
  char    *container;
  char    *protocol;              /* "File", "Http", … */
  gint64   run_time_ticks;
  gboolean supports_direct_play;
  gboolean supports_direct_stream;
  gboolean supports_transcoding;
  char    *direct_stream_url;     /* server-relative or NULL */
  char    *transcoding_url;       /* server-relative or NULL */
} HwEmbyMediaSource;

typedef struct {
  char      *play_session_id;     /* may be NULL */
  char      *error_code;          /* NULL unless the server refused */
  GPtrArray *media_sources;       /* of HwEmbyMediaSource */
} HwEmbyPlaybackInfo;

typedef struct {
  char *server_name;
  char *version;
  char *id;
} HwEmbyServerInfo;

void hw_emby_auth_free           (HwEmbyAuth         *auth);
void hw_emby_view_free           (HwEmbyView         *view);
void hw_emby_item_free           (HwEmbyItem         *item);
void hw_emby_media_source_free   (HwEmbyMediaSource  *source);
void hw_emby_playback_info_free  (HwEmbyPlaybackInfo *info);
void hw_emby_server_info_free    (HwEmbyServerInfo   *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyAuth, hw_emby_auth_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyView, hw_emby_view_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyItem, hw_emby_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyMediaSource, hw_emby_media_source_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyPlaybackInfo, hw_emby_playback_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HwEmbyServerInfo, hw_emby_server_info_free)

/* Each takes the raw body (@length -1 for a NUL-terminated string) and
 * fails with a HW_EMBY_ERROR naming what was wrong. Field names are
 * matched without regard to case; ids given as numbers are accepted. */
HwEmbyAuth         *hw_emby_parse_auth          (const char *data,
                                                 gssize      length,
                                                 GError    **error);
HwEmbyServerInfo   *hw_emby_parse_server_info   (const char *data,
                                                 gssize      length,
                                                 GError    **error);
/* GPtrArray of HwEmbyView. */
GPtrArray          *hw_emby_parse_views         (const char *data,
                                                 gssize      length,
                                                 GError    **error);
/* GPtrArray of HwEmbyItem; entries without an Id are skipped. */
GPtrArray          *hw_emby_parse_items         (const char *data,
                                                 gssize      length,
                                                 GError    **error);
/* A 200 with an ErrorCode is parsed (error_code set), not an error. */
HwEmbyPlaybackInfo *hw_emby_parse_playback_info (const char *data,
                                                 gssize      length,
                                                 GError    **error);

/* movies, tvshows, homevideos, musicvideos, or unset. */
gboolean            hw_emby_view_is_video       (const HwEmbyView *view);

G_END_DECLS
