/* fake-emby-fixture.h: HwEmbyClient and HwEmbyFeed against tests/fake-emby.py.
 *
 * Each test starts its own fake server (python3, port 0) and reads its
 * request log, so the assertions are about what really went over the wire:
 * how many sign-ins, whether identical requests were coalesced, whether the
 * gate kept quiet. Every message the code logs is captured raw (before any
 * redaction) and must not contain a token or the password: the teardown
 * checks it. Shared by test-emby-client.c, test-emby-sign-in.c and
 * test-emby-feed.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "hw-config.h"
#include "hw-emby-client.h"

G_BEGIN_DECLS

#define PASSWORD "secret"
#define FAKE_USER_ID "5e1f0c0d2b1e4f6a8c9d0e1f2a3b4c5d"

extern GString *captured_log;   /* every message, raw */
extern char    *data_home;

typedef struct {
  GSubprocess  *server;
  char         *dir;
  char         *log_path;
  guint         port;
  char         *origin;          /* http://127.0.0.1:PORT */
  HwConfig     *config;
  HwEmbyClient *client;
  GPtrArray    *tokens;          /* every token seen, for the secrecy check */
  char         *tls_dir;         /* certificates "a" (the server's) and "b" */
  char         *fingerprint_a;
  char         *fingerprint_b;
} Fixture;

typedef struct {
  gboolean  done;
  gpointer  result;
  GError   *error;
  gint64    finished_us;
} Outcome;

/* Before g_test_run (): a scratch data dir, no keyring, the raw log
 * captured. After it: the data dir removed. */
void     fixture_main_init       (int                *argc,
                                  char             ***argv);
void     fixture_main_cleanup    (void);

/* Spins the main context until *@flag or @seconds pass; TRUE if flagged. */
gboolean spin_until              (const gboolean     *flag,
                                  double              seconds);
void     spin_for                (double              seconds);
gboolean wait_for_state          (HwEmbyClient       *client,
                                  HwServerState       state,
                                  double              seconds);

/* Fixtures: a fake server per test (fixture_setup_with: with these extra
 * arguments, the client's URL with this suffix), behind a path prefix, or
 * behind a self-signed certificate. */
void     fixture_setup_with      (Fixture            *f,
                                  const char * const *server_args,
                                  const char         *url_suffix);
void     fixture_setup           (Fixture            *f,
                                  gconstpointer       data);
void     fixture_setup_prefix    (Fixture            *f,
                                  gconstpointer       data);
void     fixture_setup_tls       (Fixture            *f,
                                  gconstpointer       data);
void     fixture_teardown        (Fixture            *f,
                                  gconstpointer       data);
void     fixture_make_client     (Fixture            *f);
/* Keeps the client's current token for the teardown's secrecy check. */
void     remember_token          (Fixture            *f);
void     assert_no_secret_logged (Fixture            *f);
void     start_online            (Fixture            *f);

/* The fake server's request log. */
guint    log_count_query         (Fixture            *f,
                                  const char         *method,
                                  const char         *path_regex,
                                  const char         *query_regex);
guint    log_count               (Fixture            *f,
                                  const char         *method,
                                  const char         *path_regex);
char    *log_first_authorization (Fixture            *f,
                                  const char         *path_regex);
/* POST /__control: arms a fault (tests/fake-emby.py, control ()). */
void     control                 (Fixture            *f,
                                  const char         *json);

void     outcome_clear           (Outcome            *o);
void     on_views                (GObject            *source,
                                  GAsyncResult       *result,
                                  gpointer            user_data);
void     on_items                (GObject            *source,
                                  GAsyncResult       *result,
                                  gpointer            user_data);
/* Views, and a page of library 2000, synchronously for the test. */
void     get_views               (Fixture            *f,
                                  Outcome            *o);
void     get_items               (Fixture            *f,
                                  Outcome            *o);

G_END_DECLS
