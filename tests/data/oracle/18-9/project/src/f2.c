sigma beta
