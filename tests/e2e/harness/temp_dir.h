// A temporary directory for one test's logs: removed when the test passed, kept (and its path
// printed) when it failed, so the logs of a failing run can still be read afterwards.
#pragma once

#include <string>

namespace chatter::e2e {

class TempDir {
 public:
  // Creates $TMPDIR/chatter-e2e-<prefix>.XXXXXX (TMPDIR defaults to /tmp); adds a test failure
  // when it cannot.
  explicit TempDir(const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Keeps the directory even if the test passes (for failures noticed before the test knows).
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// True when the running test (or, in SetUpTestSuite/TearDownTestSuite, the running suite) has
// failed so far.
bool CurrentTestFailed();

}  // namespace chatter::e2e
