// Everything of chatter_jwt in one include: claims, keys, key sets, signing and verification.
#pragma once

#include "libs/jwt/claims.h"    // IWYU pragma: export
#include "libs/jwt/key_set.h"   // IWYU pragma: export
#include "libs/jwt/keys.h"      // IWYU pragma: export
#include "libs/jwt/signer.h"    // IWYU pragma: export
#include "libs/jwt/verifier.h"  // IWYU pragma: export
