/* lsan-keep-modules.c: preloaded into the sanitizer run's tests only.
 *
 * Mesa's drivers (and other plugins) are dlopen()ed and dlclose()d while a
 * GTK test runs. Once a module is unloaded, LeakSanitizer can neither see
 * its globals as roots nor name it in a stack, so what the module still
 * holds is reported as a leak "in <unknown module>" that no suppression can
 * match. Keeping every module loaded until exit lets LeakSanitizer judge
 * their memory like everybody else's, and leaks in our code are still
 * reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
int dlclose (void *handle);

int
dlclose (void *handle)
{
  (void) handle;
  return 0;
}
