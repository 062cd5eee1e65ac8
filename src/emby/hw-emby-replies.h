/* hw-emby-replies.h: what an Emby server answers, as plain structs.
 *
 * The parsers take a raw body and never crash on a bad one: they fail
 * with a HW_EMBY_ERROR (hw-emby-protocol.h) naming the endpoint and what
 * was wrong.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "hw-server-product.h"

G_BEGIN_DECLS

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
  char    *date_modified;         /* DateModified as sent (Fields=); NULL when absent */
  gboolean can_download;          /* CanDownload (Fields=): /Items/{Id}/Download is allowed */
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
  gint64   size;                  /* Size in bytes; 0 when unknown */
} HwEmbyMediaSource;

typedef struct {
  char      *play_session_id;     /* may be NULL */
  char      *error_code;          /* NULL unless the server refused */
  GPtrArray *media_sources;       /* of HwEmbyMediaSource */
} HwEmbyPlaybackInfo;

typedef struct {
  char            *server_name;
  char            *version;
  char            *id;
  HwServerProduct  product;     /* from ProductName: Emby sends none */
} HwEmbyServerInfo;

void hw_emby_auth_free           (HwEmbyAuth         *auth);
void hw_emby_view_free           (HwEmbyView         *view);
void hw_emby_item_free           (HwEmbyItem         *item);
void hw_emby_media_source_free   (HwEmbyMediaSource  *source);
void hw_emby_playback_info_free  (HwEmbyPlaybackInfo *info);
void hw_emby_server_info_free    (HwEmbyServerInfo   *info);

/* Deep copies. */
HwEmbyItem        *hw_emby_item_copy         (const HwEmbyItem        *item);
HwEmbyMediaSource *hw_emby_media_source_copy (const HwEmbyMediaSource *source);

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
