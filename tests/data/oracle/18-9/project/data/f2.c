beta gamma
