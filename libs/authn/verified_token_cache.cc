// VerifiedTokenCache: digest -> claims, checked against the verifier's clock on every hit.
#include "libs/authn/verified_token_cache.h"

#include <sodium.h>

#include "absl/container/inlined_vector.h"

namespace chatter::authn {

VerifiedTokenCache::VerifiedTokenCache(const jwt::Verifier& verifier, size_t max_entries)
    : verifier_(verifier), max_entries_(max_entries) {}

std::string VerifiedTokenCache::DigestOf(absl::string_view token) {
  std::string digest(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(digest.data()), digest.size(),
                     reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return digest;
}

std::optional<jwt::Claims> VerifiedTokenCache::Find(absl::string_view token) const {
  if (max_entries_ == 0) return std::nullopt;
  std::string digest = DigestOf(token);
  std::lock_guard lock(mu_);
  auto found = entries_.find(digest);
  if (found == entries_.end()) return std::nullopt;
  // Expired entries are not served; they are cleared when room is needed.
  if (verifier_.AcceptedFor(found->second) <= absl::ZeroDuration()) return std::nullopt;
  return found->second;
}

void VerifiedTokenCache::Remember(absl::string_view token, const jwt::Claims& claims) {
  if (max_entries_ == 0) return;
  std::string digest = DigestOf(token);
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_ && !entries_.contains(digest)) {
    absl::erase_if(entries_, [this](const auto& entry) {
      return verifier_.AcceptedFor(entry.second) <= absl::ZeroDuration();
    });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_.insert_or_assign(std::move(digest), claims);
}

size_t VerifiedTokenCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace chatter::authn
