// Handing an object from thread to thread through a library that ThreadSanitizer cannot see.
//
// gRPC runs a callback reactor's OnReadDone / OnWriteDone / OnDone on whichever of its threads
// completed the operation; its completion queue orders each one after the StartRead /
// StartWrite / Finish that asked for it, and OnDone after all of them. Debian builds libgrpc
// without -fsanitize=thread, so `make tsan` cannot see that order: it reports the reactor's
// members written before StartRead and read in OnReadDone on another thread as a race that cannot
// happen. The reactor declares exactly what gRPC guarantees, one key per chain of callbacks (its
// read side, its write side): handoff_release(key) just before the Start call, a HandoffScope on
// the key for the callback's body, handoff_acquire on every key at the top of OnDone. Nothing
// else is declared: members that two chains or our own threads share still need their lock, and
// TSan still checks that. All of it compiles to nothing outside a TSan build.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define RS_HANDOFF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RS_HANDOFF_TSAN 1
#endif
#endif
#ifdef RS_HANDOFF_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace base {

inline void handoff_release([[maybe_unused]] const void* key) {
#ifdef RS_HANDOFF_TSAN
  __tsan_release(const_cast<void*>(key));
#endif
}

inline void handoff_acquire([[maybe_unused]] const void* key) {
#ifdef RS_HANDOFF_TSAN
  __tsan_acquire(const_cast<void*>(key));
#endif
}

// Acquires `key` now and releases it when the callback returns (the next callback of the same
// chain, or OnDone, may then run on another thread).
class HandoffScope {
 public:
  explicit HandoffScope(const void* key) : key_(key) { handoff_acquire(key_); }
  ~HandoffScope() { handoff_release(key_); }
  HandoffScope(const HandoffScope&) = delete;
  HandoffScope& operator=(const HandoffScope&) = delete;

 private:
  const void* key_;
};

}  // namespace base
