omega sigma lambda theta kappa
