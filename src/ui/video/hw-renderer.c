/* hw-renderer.c: choosing between the GL and software video paths.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "Hyperwall"

#include "config.h"

#include <epoxy/gl.h>

#include "hw-renderer.h"
#include "hw-x11-surface.h"

HwRenderer
hw_renderer_from_string (const char *name)
{
  if (g_strcmp0 (name, "gl") == 0)
    return HW_RENDERER_GL;
  if (g_strcmp0 (name, "software") == 0)
    return HW_RENDERER_SOFTWARE;
  if (g_strcmp0 (name, "x11") == 0)
    return HW_RENDERER_X11;
  return HW_RENDERER_AUTO;
}

const char *
hw_renderer_to_string (HwRenderer renderer)
{
  switch (renderer)
    {
    case HW_RENDERER_GL:
      return "gl";
    case HW_RENDERER_SOFTWARE:
      return "software";
    case HW_RENDERER_X11:
      return "x11";
    case HW_RENDERER_AUTO:
    default:
      return "auto";
    }
}

static gboolean
is_software_rasterizer (const char *renderer)
{
  static const char * const names[] = { "llvmpipe", "softpipe", "swrast", "software" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (renderer != NULL && strstr (renderer, names[i]) != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
env_true (const char *name)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' && g_strcmp0 (value, "0") != 0 &&
         g_ascii_strcasecmp (value, "false") != 0 && g_ascii_strcasecmp (value, "no") != 0;
}

static gboolean
has_gpu_device (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  /* NVIDIA's own driver works without DRM device nodes. */
  if (g_file_test ("/dev/nvidiactl", G_FILE_TEST_EXISTS))
    return TRUE;
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "renderD") || g_str_has_prefix (name, "card"))
      return TRUE;
  return FALSE;
}

HwRenderer
hw_renderer_guess (void)
{
  if (env_true ("LIBGL_ALWAYS_SOFTWARE") || is_software_rasterizer (g_getenv ("GALLIUM_DRIVER")))
    return HW_RENDERER_SOFTWARE;
  if (!has_gpu_device ())
    return HW_RENDERER_SOFTWARE;
  return HW_RENDERER_AUTO;
}

/* Probes a throw-away GL context: the real ones belong to the cells. */
static HwRenderer
probe (GdkDisplay *display)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkGLContext) context = NULL;
  const char *renderer;

  context = gdk_display_create_gl_context (display, &error);
  if (context == NULL || !gdk_gl_context_realize (context, &error))
    {
      g_message ("OpenGL unavailable (%s); using the software renderer",
                 error ? error->message : "no context");
      return HW_RENDERER_SOFTWARE;
    }

  gdk_gl_context_make_current (context);
  renderer = (const char *) glGetString (GL_RENDERER);
  if (is_software_rasterizer (renderer))
    {
      g_message ("OpenGL renderer is %s, a software rasterizer; using the software renderer",
                 renderer);
      gdk_gl_context_clear_current ();
      return HW_RENDERER_SOFTWARE;
    }

  g_message ("OpenGL renderer is %s; using it", renderer ? renderer : "unknown");
  gdk_gl_context_clear_current ();
  return HW_RENDERER_GL;
}

HwRenderer
hw_renderer_resolve (HwRenderer  requested,
                     GdkDisplay *display)
{
  static HwRenderer resolved = HW_RENDERER_AUTO;

  g_autoptr(GError) error = NULL;

  if (requested == HW_RENDERER_X11 && !hw_x11_surface_supported (display, &error))
    {
      g_message ("The x11 renderer cannot work here (%s); using the software renderer",
                 error->message);
      return HW_RENDERER_SOFTWARE;
    }
  if (requested != HW_RENDERER_AUTO)
    return requested;

  if (resolved == HW_RENDERER_AUTO)
    {
      resolved = hw_renderer_guess ();
      if (resolved == HW_RENDERER_SOFTWARE)
        g_message ("OpenGL can only be a software rasterizer here; using the software renderer");
      else
        resolved = probe (display);
      if (resolved == HW_RENDERER_SOFTWARE && hw_x11_surface_supported (display, &error))
        {
          g_message ("Video goes to the X server through the x11 renderer");
          resolved = HW_RENDERER_X11;
        }
      else if (resolved == HW_RENDERER_SOFTWARE)
        g_debug ("No x11 renderer: %s", error->message);
    }
  return resolved;
}
