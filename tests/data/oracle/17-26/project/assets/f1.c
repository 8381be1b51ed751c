beta gamma omega alpha alpha theta beta
