//! Bearer tokens on the kubelet's port, as upstream's
//! `--authentication-token-webhook`: a request without a client
//! certificate may present a token, which the API server reviews
//! (TokenReview). Answers are cached by the token's SHA-256 — a review
//! that authenticated for two minutes, one that did not for ten seconds.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use k8s_openapi::api::authentication::v1::{TokenReview, TokenReviewSpec};
use kube::api::{Api, PostParams};

const AUTHENTICATED_FOR: Duration = Duration::from_secs(120);
const REFUSED_FOR: Duration = Duration::from_secs(10);
const CACHE_LIMIT: usize = 4096;

/// A user name and groups.
pub type Identity = (String, Vec<String>);

/// Reviews by the token's SHA-256: who it was (if anyone) and when asked.
type Reviews = HashMap<[u8; 32], (Option<Identity>, Instant)>;

pub struct TokenAuthenticator {
    client: kube::Client,
    cache: Mutex<Reviews>,
}

impl TokenAuthenticator {
    pub fn new(client: kube::Client) -> TokenAuthenticator {
        TokenAuthenticator {
            client,
            cache: Mutex::default(),
        }
    }

    /// Who `token` is, if the API server says it is anyone.
    pub async fn authenticate(&self, token: &str) -> Option<Identity> {
        let mut digest = [0u8; 32];
        digest.copy_from_slice(
            ring::digest::digest(&ring::digest::SHA256, token.as_bytes()).as_ref(),
        );
        let now = Instant::now();
        let cached = self.cache.lock().ok().and_then(|cache| {
            cache.get(&digest).cloned().filter(|(who, at)| {
                now.duration_since(*at)
                    < if who.is_some() {
                        AUTHENTICATED_FOR
                    } else {
                        REFUSED_FOR
                    }
            })
        });
        if let Some((who, _)) = cached {
            return who;
        }
        let reviews: Api<TokenReview> = Api::all(self.client.clone());
        let review = TokenReview {
            spec: TokenReviewSpec {
                token: Some(token.to_string()),
                ..TokenReviewSpec::default()
            },
            ..TokenReview::default()
        };
        let who = match reviews.create(&PostParams::default(), &review).await {
            Ok(answer) => answer
                .status
                .filter(|s| s.authenticated == Some(true))
                .and_then(|s| s.user)
                .and_then(|user| Some((user.username?, user.groups.unwrap_or_default()))),
            Err(err) => {
                // Not cached: the next request asks again.
                tracing::warn!(error = %err, "the kubelet could not review a bearer token");
                return None;
            }
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_LIMIT {
                cache.retain(|_, (who, at)| {
                    now.duration_since(*at)
                        < if who.is_some() {
                            AUTHENTICATED_FOR
                        } else {
                            REFUSED_FOR
                        }
                });
                if cache.len() >= CACHE_LIMIT {
                    cache.clear();
                }
            }
            cache.insert(digest, (who.clone(), now));
        }
        who
    }
}
