"""The tiers as one system: recommendation up the tiers (逐级推荐) within each source's quota
(名额), direct recommendation by a level without a contest of its own, and contests held
outside Jingsai that send their final result lists up."""
