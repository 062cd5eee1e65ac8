/* hw-cell.c: the widget half of a cell.
 *
 * The healing is HwCellSupervisor's; this file shows what it says (card,
 * title) and owns what draws the player: the video surface, which falls
 * back from GL to software on its own when GL cannot draw.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <glib/gi18n.h>
#include <mpv/client.h>

#include "hw-cell.h"
#include "hw-player.h"
#include "hw-video-cover.h"
#include "hw-video-surface.h"

struct _HwCell
{
  GtkWidget         parent_instance;

  /* Template children */
  GtkOverlay       *overlay;
  GtkWidget        *title_label;
  GtkWidget        *card;
  GtkWidget        *card_headline;
  GtkWidget        *card_detail;
  GtkWidget        *focus_ring;

  HwCellSupervisor *supervisor;
  HwRenderer        renderer;
  HwPlayer         *player;          /* the supervisor's player, while shown */
  HwVideoSurface   *surface;
  gboolean          surface_fell_back;
  gboolean          shut_down;
  gboolean          show_titles;
  gboolean          focused;
  gboolean          ring_idle;
  guint             title_fade_id;
  const char       *size_class;      /* static: the text size bucket */
};

/* A title stays this long when an item starts, then fades. */
#define TITLE_SECONDS 5
/* style.css's fade of the title, and a little more. */
#define TITLE_FADE_MS 1600
/* The focus ring as style.css draws it: an 8 px border with a 3 px inset
 * shadow, and a 3 px shadow outside. */
#define RING_EDGE_PX   11
#define RING_OUTSET_PX 3

static void hw_cell_view_init (HwCellViewInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (HwCell, hw_cell, GTK_TYPE_WIDGET,
                               G_IMPLEMENT_INTERFACE (HW_TYPE_CELL_VIEW, hw_cell_view_init))

/* ------------------------------------------------------------------ */
/* What the supervisor says to show                                    */

/* What a screen reader says for the cell: its number as the keys count
 * (from 1), what it shows and how it is doing. The card's headline, not
 * its detail: the detail's countdown changes every second, and each
 * change would be read out. */
static void
update_accessible_label (HwCell *self)
{
  const char *title = hw_cell_supervisor_get_title (self->supervisor);
  const char *headline = hw_cell_supervisor_get_headline (self->supervisor);
  guint number = hw_cell_supervisor_get_index (self->supervisor) + 1;
  g_autofree char *label = NULL;

  if (title != NULL && headline != NULL)
    /* Translators: a cell of the wall for a screen reader: its number, the
     * title of what it shows, then its card, e.g. "Cell 3: Lobby tour, Buffering…" */
    label = g_strdup_printf (_("Cell %u: %s, %s"), number, title, headline);
  else if (title != NULL)
    /* Translators: a cell of the wall for a screen reader: its number and
     * the title of what it plays, e.g. "Cell 3: Lobby tour, playing" */
    label = g_strdup_printf (_("Cell %u: %s, playing"), number, title);
  else if (headline != NULL)
    /* Translators: a cell of the wall for a screen reader: its number and
     * its card, e.g. "Cell 2: Waiting for server" */
    label = g_strdup_printf (_("Cell %u: %s"), number, headline);
  else
    label = g_strdup_printf (_("Cell %u"), number);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
update_card (HwCell *self)
{
  const char *headline = hw_cell_supervisor_get_headline (self->supervisor);
  const char *detail = hw_cell_supervisor_get_detail (self->supervisor);

  gtk_label_set_text (GTK_LABEL (self->card_headline), headline ? headline : "");
  gtk_label_set_text (GTK_LABEL (self->card_detail), detail ? detail : "");
  gtk_widget_set_visible (self->card_detail, detail != NULL && *detail != '\0');
  gtk_widget_set_visible (self->card, headline != NULL);
  update_accessible_label (self);
}

/* Once faded (style.css's transition), the title no longer covers video. */
static gboolean
title_faded_cb (gpointer user_data)
{
  HwCell *self = user_data;

  self->title_fade_id = 0;
  hw_video_cover_set_shown (self->title_label, FALSE);
  return G_SOURCE_REMOVE;
}

static gboolean
fade_title_cb (gpointer user_data)
{
  HwCell *self = user_data;

  gtk_widget_add_css_class (self->title_label, "faded");
  self->title_fade_id = g_timeout_add (TITLE_FADE_MS, title_faded_cb, self);
  return G_SOURCE_REMOVE;
}

/* A new title shows for a few seconds, then fades (CSS transition). */
static void
update_title (HwCell *self)
{
  const char *title = hw_cell_supervisor_get_title (self->supervisor);
  const char *shown = gtk_label_get_text (GTK_LABEL (self->title_label));

  if (title != NULL && g_strcmp0 (title, shown) != 0)
    {
      gtk_widget_remove_css_class (self->title_label, "faded");
      hw_video_cover_set_shown (self->title_label, TRUE);
      g_clear_handle_id (&self->title_fade_id, g_source_remove);
      self->title_fade_id = g_timeout_add_seconds (TITLE_SECONDS, fade_title_cb, self);
    }
  gtk_label_set_text (GTK_LABEL (self->title_label), title ? title : "");
  gtk_widget_set_visible (self->title_label, self->show_titles && title != NULL);
  update_accessible_label (self);
}

/* Shown when focused and a key was used lately (hw-wall.c). */
static void
update_ring (HwCell *self)
{
  hw_video_cover_set_shown (self->focus_ring, self->focused && !self->ring_idle);
}

/* ------------------------------------------------------------------ */
/* Text that reads from across the room at any grid size               */

/* The bucket by cell height; style.css gives each its font sizes. */
static const char *
size_class_for (int height)
{
  if (height < 200)
    return "size-s";
  if (height < 400)
    return "size-m";
  if (height < 700)
    return "size-l";
  return "size-xl";
}

static void
hw_cell_measure (GtkWidget      *widget,
                 GtkOrientation  orientation,
                 int             for_size,
                 int            *minimum,
                 int            *natural,
                 int            *minimum_baseline,
                 int            *natural_baseline)
{
  HwCell *self = HW_CELL (widget);

  gtk_widget_measure (GTK_WIDGET (self->overlay), orientation, for_size,
                      minimum, natural, minimum_baseline, natural_baseline);
}

static void
hw_cell_size_allocate (GtkWidget *widget,
                       int        width,
                       int        height,
                       int        baseline)
{
  HwCell *self = HW_CELL (widget);
  const char *size_class = size_class_for (height);

  /* Only on a change of bucket, so the restyle it causes settles at once. */
  if (size_class != self->size_class)
    {
      if (self->size_class != NULL)
        gtk_widget_remove_css_class (widget, self->size_class);
      self->size_class = size_class;
      gtk_widget_add_css_class (widget, size_class);
    }
  gtk_widget_allocate (GTK_WIDGET (self->overlay), width, height, baseline, NULL);
}

/* ------------------------------------------------------------------ */
/* The surface                                                         */

static void on_render_failed (HwCell         *self,
                              const char     *message,
                              HwVideoSurface *surface);

static void
remove_surface (HwCell *self)
{
  if (self->surface == NULL)
    return;

  /* Unparenting unrealizes it, which frees its render context: before the
   * player's handle may go. */
  gtk_overlay_set_child (self->overlay, NULL);
  self->surface = NULL;
}

static void
install_surface (HwCell     *self,
                 HwRenderer  renderer)
{
  remove_surface (self);

  self->surface = hw_video_surface_new (renderer, self->player);
  g_signal_connect_object (self->surface, "render-failed",
                           G_CALLBACK (on_render_failed), self, G_CONNECT_SWAPPED);
  gtk_overlay_set_child (self->overlay, GTK_WIDGET (self->surface));
}

static gboolean
fall_back_to_software (gpointer user_data)
{
  HwCell *self = user_data;

  if (!self->shut_down && self->player != NULL)
    install_surface (self, HW_RENDERER_SOFTWARE);
  return G_SOURCE_REMOVE;
}

static void
on_render_failed (HwCell         *self,
                  const char     *message,
                  HwVideoSurface *surface)
{
  if (self->surface_fell_back || hw_video_surface_get_renderer (surface) == HW_RENDERER_SOFTWARE)
    {
      g_warning ("cell %u: cannot draw video: %s",
                 hw_cell_supervisor_get_index (self->supervisor), message);
      return;
    }

  g_message ("cell %u: %s; drawing video in software instead",
             hw_cell_supervisor_get_index (self->supervisor), message);
  /* Not from inside the surface's own realize. */
  self->surface_fell_back = TRUE;
  g_idle_add_full (G_PRIORITY_DEFAULT, fall_back_to_software,
                   g_object_ref (self), g_object_unref);
}

/* ------------------------------------------------------------------ */
/* HwCellView                                                          */

static HwCellPlayer *
hw_cell_create_player (HwCellView             *view,
                       const HwPlayerOptions  *options,
                       GError                **error)
{
  HwCell *self = HW_CELL (view);
  HwPlayer *player = hw_player_new (options, error);

  if (player == NULL)
    return NULL;

  g_set_object (&self->player, player);
  install_surface (self, self->surface_fell_back ? HW_RENDERER_SOFTWARE : self->renderer);
  return HW_CELL_PLAYER (player);
}

static void
hw_cell_release_player (HwCellView   *view,
                        HwCellPlayer *player)
{
  HwCell *self = HW_CELL (view);

  if ((gpointer) player != (gpointer) self->player)
    return;

  remove_surface (self);
  /* The last reference destroys the handle, maybe only once the software
   * render thread or a retired GL render context let go: never before. */
  g_clear_object (&self->player);
}

static guint64
hw_cell_view_get_frames_impl (HwCellView *view)
{
  HwCell *self = HW_CELL (view);

  return self->surface ? hw_video_surface_get_frames (self->surface) : 0;
}

static const char *
hw_cell_view_get_renderer_impl (HwCellView *view)
{
  HwCell *self = HW_CELL (view);

  if (self->surface == NULL)
    return NULL;
  return hw_renderer_to_string (hw_video_surface_get_renderer (self->surface));
}

static void
hw_cell_view_init (HwCellViewInterface *iface)
{
  iface->create_player = hw_cell_create_player;
  iface->release_player = hw_cell_release_player;
  iface->get_frames = hw_cell_view_get_frames_impl;
  iface->get_renderer = hw_cell_view_get_renderer_impl;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
hw_cell_dispose (GObject *object)
{
  HwCell *self = HW_CELL (object);

  if (self->supervisor != NULL)
    {
      hw_cell_shutdown (self);
      g_signal_handlers_disconnect_by_data (self->supervisor, self);
      hw_cell_supervisor_detach (self->supervisor);
      g_clear_object (&self->supervisor);
    }
  remove_surface (self);
  g_clear_object (&self->player);
  g_clear_handle_id (&self->title_fade_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), HW_TYPE_CELL);

  G_OBJECT_CLASS (hw_cell_parent_class)->dispose (object);
}

static void
hw_cell_class_init (HwCellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hw_cell_dispose;
  widget_class->measure = hw_cell_measure;
  widget_class->size_allocate = hw_cell_size_allocate;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/example/Hyperwall/ui/hw-cell.ui");
  gtk_widget_class_bind_template_child (widget_class, HwCell, overlay);
  gtk_widget_class_bind_template_child (widget_class, HwCell, title_label);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card_headline);
  gtk_widget_class_bind_template_child (widget_class, HwCell, card_detail);
  gtk_widget_class_bind_template_child (widget_class, HwCell, focus_ring);

  gtk_widget_class_set_css_name (widget_class, "hw-cell");
  /* The wall is the grid (hw-wall.c). */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GRID_CELL);
}

static void
hw_cell_init (HwCell *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->show_titles = TRUE;
  self->ring_idle = TRUE;

  /* What shows over the video, for outputs that draw it outside GTK. The
   * ring's frame is its border and inset shadow; its outer shadow spills
   * onto the neighbours (style.css). */
  hw_video_cover_mark (self->card, 0, 0);
  hw_video_cover_mark (self->title_label, 0, 0);
  hw_video_cover_mark (self->focus_ring, RING_EDGE_PX, RING_OUTSET_PX);
  update_ring (self);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self),
                               GTK_ACCESSIBLE_STATE_SELECTED, FALSE,
                               -1);
}

static HwCellSupervisorSettings
supervisor_settings (const HwCellSettings *settings)
{
  return (HwCellSupervisorSettings) {
    .policy = settings->policy,
    .stall = settings->stall,
    .watchdog_interval_ms = settings->watchdog_interval_ms,
    .cycle_interval_us = settings->cycle_interval_us,
    .network_timeout_s = settings->network_timeout_s,
    .hwdec = settings->hwdec,
  };
}

HwCell *
hw_cell_new (guint                 index,
             HwFeed               *feed,
             const HwCellSettings *settings,
             const HwCacheSplit   *cache)
{
  HwCellSupervisorSettings healing;
  HwCell *self;

  g_return_val_if_fail (HW_IS_FEED (feed), NULL);
  g_return_val_if_fail (settings != NULL && cache != NULL, NULL);

  self = g_object_new (HW_TYPE_CELL, NULL);
  self->renderer = settings->renderer;
  healing = supervisor_settings (settings);
  self->supervisor = hw_cell_supervisor_new (index, feed, HW_CELL_VIEW (self), &healing, cache);

  g_signal_connect_object (self->supervisor, "notify::headline",
                           G_CALLBACK (update_card), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->supervisor, "notify::detail",
                           G_CALLBACK (update_card), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->supervisor, "notify::title",
                           G_CALLBACK (update_title), self, G_CONNECT_SWAPPED);
  update_card (self);
  update_title (self);

  return self;
}

/* ------------------------------------------------------------------ */
/* Public                                                              */

HwCellSupervisor *
hw_cell_get_supervisor (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), NULL);
  return self->supervisor;
}

void
hw_cell_set_settings (HwCell               *self,
                      const HwCellSettings *settings)
{
  HwCellSupervisorSettings healing;

  g_return_if_fail (HW_IS_CELL (self));
  g_return_if_fail (settings != NULL);

  /* A renderer chosen anew gets its chance, even after a fallback. */
  if (settings->renderer != self->renderer)
    self->surface_fell_back = FALSE;
  self->renderer = settings->renderer;
  healing = supervisor_settings (settings);
  hw_cell_supervisor_set_settings (self->supervisor, &healing);
}

void
hw_cell_shutdown (HwCell *self)
{
  g_return_if_fail (HW_IS_CELL (self));

  self->shut_down = TRUE;
  hw_cell_supervisor_shutdown (self->supervisor);
}

void
hw_cell_seek (HwCell *self,
              double  seconds)
{
  char position[G_ASCII_DTOSTR_BUF_SIZE];
  const char *args[] = { "seek", position, "absolute", NULL };

  g_return_if_fail (HW_IS_CELL (self));

  if (self->player == NULL || hw_player_get_handle (self->player) == NULL)
    return;
  g_ascii_dtostr (position, sizeof position, MAX (0.0, seconds));
  mpv_command_async (hw_player_get_handle (self->player), 0, args);
}

void
hw_cell_set_volume (HwCell *self,
                    int     percent)
{
  double volume = CLAMP (percent, 0, 100);

  g_return_if_fail (HW_IS_CELL (self));

  if (self->player == NULL || hw_player_get_handle (self->player) == NULL)
    return;
  mpv_set_property_async (hw_player_get_handle (self->player), 0, "volume", MPV_FORMAT_DOUBLE,
                          &volume);
}

void
hw_cell_set_focused (HwCell   *self,
                     gboolean  focused)
{
  g_return_if_fail (HW_IS_CELL (self));

  self->focused = !!focused;
  if (focused)
    gtk_widget_add_css_class (GTK_WIDGET (self), "focused");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "focused");
  update_ring (self);
  /* The focused cell is the one the keys act on: for a screen reader, the
   * grid's selected cell. */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self),
                               GTK_ACCESSIBLE_STATE_SELECTED, self->focused,
                               -1);
  /* Called for every cell after each layout change (hw-wall-controller-operate.c),
   * which may have given the cell another number. */
  update_accessible_label (self);
}

void
hw_cell_set_ring_idle (HwCell   *self,
                       gboolean  idle)
{
  g_return_if_fail (HW_IS_CELL (self));

  self->ring_idle = !!idle;
  update_ring (self);
}

void
hw_cell_set_show_titles (HwCell   *self,
                         gboolean  show_titles)
{
  g_return_if_fail (HW_IS_CELL (self));

  self->show_titles = !!show_titles;
  update_title (self);
}

guint64
hw_cell_get_frames (HwCell *self)
{
  g_return_val_if_fail (HW_IS_CELL (self), 0);
  return hw_cell_view_get_frames (HW_CELL_VIEW (self));
}
