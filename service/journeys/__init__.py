"""A trainee's confirmed journeys: the one-way time a coordinator confirmed for her to an opening's workplace."""
