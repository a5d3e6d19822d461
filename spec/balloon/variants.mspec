variant v4_8 "v4.8 as merged"
expect v4_8 holds all
